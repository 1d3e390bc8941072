package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;

import java.net.URI;

/**
 * The peer-to-peer base image transfer protocol: where a version is served and which headers
 * carry what. Constants only; thread-safe.
 *
 * <pre>
 * GET  /internal/v1/images/{image}/{version}      Range: bytes=N-   Authorization: Bearer &lt;grid token&gt;
 * 200 (whole) | 206 (Content-Range: bytes N-M/size) | 404 | 416 (Content-Range: bytes *&#47;size)
 * X-DeskMesh-Sha256, X-DeskMesh-Size, X-DeskMesh-Parent-Version describe the whole version.
 * </pre>
 */
public final class ImageProtocol {
    /** Path prefix; a version lives at {@code PATH_PREFIX + image + "/" + version}. */
    public static final String PATH_PREFIX = "/internal/v1/images/";
    /** Lowercase hex SHA-256 of the whole disk (not of the range sent). */
    public static final String SHA256_HEADER = "X-DeskMesh-Sha256";
    /** Size in bytes of the whole disk. */
    public static final String SIZE_HEADER = "X-DeskMesh-Size";
    /** Version the disk was derived from, 0 if none. */
    public static final String PARENT_HEADER = "X-DeskMesh-Parent-Version";

    private ImageProtocol() {
    }

    /** {@code /internal/v1/images/win11/3} for a valid ref. */
    public static String path(ImageRef ref) {
        ImageNames.requireValid(ref);
        return PATH_PREFIX + ref.image() + "/" + ref.version();
    }

    /** The version's URL on a peer given its base URL, e.g. {@code http://10.0.0.2:8081}. */
    public static URI uri(URI peerBase, ImageRef ref) {
        String base = peerBase.toString();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + path(ref));
    }
}
