package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;

import java.nio.file.Path;

/**
 * What the node's hypervisor does to a version as it lands in a {@link LocalImageStore}, so the
 * version works on this server (see {@code BaseImageCustomizer} in the hypervisor module, which
 * the node adapts to this). Implementations are thread-safe and idempotent.
 *
 * <p>The store calls {@link #landed} once a version's verified disk is in place, on every way in
 * (a whole copy, a difference rebuilt into a file, an upload, an import) and for every landed
 * version at {@link LocalImageStore#customizeLanded()}; and {@link #removing} before it deletes a
 * version's files. A hook never changes the disk: the same bytes are served to other servers.
 */
public interface LandingHook {

    /** Needs nothing: the {@code sim} driver's hook. */
    LandingHook NONE = new LandingHook() {
        @Override
        public void landed(ImageManifest manifest, Path disk, Path localDirectory) {
        }

        @Override
        public void removing(ImageRef ref) {
        }
    };

    /**
     * Makes the landed version usable on this server.
     *
     * @param disk           the version's disk (read only)
     * @param localDirectory an existing directory inside the version's, for this server's
     *                       descriptor files; never served, deleted with the version
     * @throws ImageCustomizationException when the version cannot be used here; the store then
     *                                     deletes it
     */
    void landed(ImageManifest manifest, Path disk, Path localDirectory);

    /** Undoes {@link #landed} before the version's files go; failures are the hook's to report. */
    void removing(ImageRef ref);
}
