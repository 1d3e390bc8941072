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
 * GET  /internal/v1/images/{image}/{version}/diff?base=P&amp;baseSha256=S     a {@link BlockDiff} against P
 * 200/206 (X-DeskMesh-Diff-Base: P) | 404 (either version not here) | 409 (other base bytes, or not worth it)
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

    /** On a difference: the base version the body is a {@link BlockDiff} against. */
    public static final String DIFF_BASE_HEADER = "X-DeskMesh-Diff-Base";
    /** Suffix of a version's path that serves its difference: {@code .../diff?base=N&baseSha256=S}. */
    public static final String DIFF_SUFFIX = "/diff";

    private ImageProtocol() {
    }

    /** {@code /internal/v1/images/win11/3} for a valid ref. */
    public static String path(ImageRef ref) {
        ImageNames.requireValid(ref);
        return PATH_PREFIX + ref.image() + "/" + ref.version();
    }

    /** The URL of a version's difference against an earlier version the caller holds with this checksum. */
    public static URI diffUri(URI peerBase, ImageRef ref, int baseVersion, String baseSha256) {
        return URI.create(uri(peerBase, ref) + DIFF_SUFFIX + "?base=" + baseVersion + "&baseSha256="
                + Sha256.requireHex(baseSha256));
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
