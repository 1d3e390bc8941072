package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Answers peers' requests for base image versions from an {@link ImageStore}, without tying the
 * store to an HTTP framework: the node's HTTP server turns a request into {@link #serve} and the
 * resulting {@link Served} into a response. Thread-safe.
 *
 * <p>Authentication is the caller's job: check the grid token before calling. See
 * {@link ImageProtocol} for paths and headers.
 */
public final class ImageServer {
    /** A difference larger than this share of its version is refused: the whole version moves instead. */
    public static final double MAX_DIFF_SHARE = 0.5;
    private final ImageStore store;

    public ImageServer(ImageStore store) {
        this.store = store;
    }

    /**
     * Serves a version from its two raw URL path segments; a bad name or version is a 400 whose
     * message says what was wrong.
     */
    public Served serve(String image, String version, String rangeHeader) {
        ImageRef ref;
        try {
            ref = ImageNames.parse(image, version);
        } catch (IllegalArgumentException e) {
            return Served.error(400, e.getMessage(), null);
        }
        return serve(ref, rangeHeader);
    }

    /**
     * Serves a version as a {@link BlockDiff} against an earlier version, from raw URL parts: 400
     * for bad input, 404 if either version is not landed here, 409 if this node's base has another
     * checksum than the caller's or the difference is larger than {@link #MAX_DIFF_SHARE} of the
     * version (the caller should then fetch the whole version).
     */
    public Served serveDifference(String image, String version, String base, String baseSha256, String rangeHeader) {
        ImageRef ref;
        int baseVersion;
        String sha;
        try {
            ref = ImageNames.parse(image, version);
            baseVersion = ImageNames.parse(image, base == null ? "" : base).version();
            sha = Sha256.requireHex(baseSha256);
            if (baseVersion >= ref.version()) {
                throw new IllegalArgumentException("base version " + baseVersion + " must be earlier than " + ref);
            }
        } catch (IllegalArgumentException e) {
            return Served.error(400, e.getMessage() + " (query: base=VERSION&baseSha256=HEX)", null);
        }
        ImageRef baseRef = new ImageRef(ref.image(), baseVersion);
        Optional<ImageManifest> target = store.manifest(ref);
        Optional<ImageManifest> baseManifest = store.manifest(baseRef);
        if (target.isEmpty() || baseManifest.isEmpty()) {
            return Served.error(404, "base image " + (target.isEmpty() ? ref : baseRef) + " is not on this node", null);
        }
        if (!baseManifest.get().sha256().equals(sha)) {
            return Served.error(409, "this node's " + baseRef + " has sha256 " + baseManifest.get().sha256()
                    + ", not " + sha + "; fetch the whole version", null);
        }
        Optional<Path> diff = store.difference(ref, baseVersion);
        if (diff.isEmpty()) {
            return Served.error(404, "base image " + ref + " or " + baseRef + " is not on this node", null);
        }
        long size;
        try {
            size = Files.size(diff.get());
        } catch (IOException e) {
            return Served.error(404, "the difference of " + ref + " is gone: " + e.getMessage(), null);
        }
        if (size > target.get().sizeBytes() * MAX_DIFF_SHARE) {
            return Served.error(409, "the difference of " + ref + " against version " + baseVersion + " is " + size
                    + " bytes, not worth it for a " + target.get().sizeBytes() + "-byte version; fetch the whole version",
                    null);
        }
        ByteRange range = ByteRange.parse(rangeHeader, size);
        if (range.refusal() != null) {
            return Served.error(416, range.refusal(), "bytes */" + size);
        }
        return Served.difference(target.get(), baseVersion, diff.get(), size, range);
    }

    /**
     * Serves the whole version (200) or one range of it (206).
     *
     * @param rangeHeader the request's {@code Range} header value, or {@code null}
     */
    public Served serve(ImageRef ref, String rangeHeader) {
        Optional<ImageManifest> manifest;
        try {
            manifest = store.manifest(ImageNames.requireValid(ref));
        } catch (IllegalArgumentException e) {
            return Served.error(400, e.getMessage(), null);
        }
        if (manifest.isEmpty()) {
            return Served.error(404, "base image " + ref + " is not on this node", null);
        }
        ImageManifest m = manifest.get();
        ByteRange range = ByteRange.parse(rangeHeader, m.sizeBytes());
        if (range.refusal() != null) {
            return Served.error(416, range.refusal(), "bytes */" + m.sizeBytes());
        }
        try {
            return Served.bytes(m, store.diskPath(ref), range);
        } catch (ImageNotFoundException e) {
            return Served.error(404, "base image " + ref + " is not on this node", null); // deleted meanwhile
        }
    }
}
