package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;

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
