package io.deskmesh.images;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One answer of {@link ImageServer}, independent of any HTTP framework: status, headers and a
 * body to stream. Immutable and thread-safe; {@link #transferTo} may be called more than once.
 *
 * <p>A handler sets {@link #status()}, {@code Content-Length} to {@link #contentLength()}, every
 * entry of {@link #headers()}, and then calls {@link #transferTo} (skipped for {@code HEAD}).
 */
public final class Served {
    static final int BUFFER = 256 * 1024;

    private final int status;
    private final long contentLength;
    private final String contentRange;
    private final ImageManifest manifest;
    private final Path disk;
    private final long offset;
    private final String message;
    /** The base version when the body is a {@link BlockDiff} against it; 0 when it is the disk. */
    private final int diffBase;

    private Served(int status, long contentLength, String contentRange, ImageManifest manifest, Path disk,
                   long offset, String message) {
        this(status, contentLength, contentRange, manifest, disk, offset, message, 0);
    }

    private Served(int status, long contentLength, String contentRange, ImageManifest manifest, Path disk,
                   long offset, String message, int diffBase) {
        this.diffBase = diffBase;
        this.status = status;
        this.contentLength = contentLength;
        this.contentRange = contentRange;
        this.manifest = manifest;
        this.disk = disk;
        this.offset = offset;
        this.message = message;
    }

    static Served bytes(ImageManifest manifest, Path disk, ByteRange range) {
        String contentRange = range.whole() ? null
                : "bytes " + range.start() + "-" + range.end() + "/" + manifest.sizeBytes();
        return new Served(range.whole() ? 200 : 206, range.whole() ? manifest.sizeBytes() : range.length(),
                contentRange, manifest, disk, range.start(), "");
    }

    /** The whole of a {@link BlockDiff} file (200) or one range of it (206). */
    static Served difference(ImageManifest manifest, int baseVersion, Path diff, long diffSize, ByteRange range) {
        String contentRange = range.whole() ? null : "bytes " + range.start() + "-" + range.end() + "/" + diffSize;
        return new Served(range.whole() ? 200 : 206, range.whole() ? diffSize : range.length(), contentRange,
                manifest, diff, range.start(), "", baseVersion);
    }

    static Served error(int status, String message, String contentRange) {
        return new Served(status, (message + "\n").getBytes(StandardCharsets.UTF_8).length, contentRange,
                null, null, 0, message);
    }

    /** 200, 206, 400 (bad name or version), 404 (not landed here) or 416 (bad range). */
    public int status() {
        return status;
    }

    /** Bytes {@link #transferTo} writes: the range, the whole disk or the error text. */
    public long contentLength() {
        return contentLength;
    }

    /** {@code bytes N-M/size} for 206, {@code bytes *&#47;size} for 416 on a landed version. */
    public Optional<String> contentRange() {
        return Optional.ofNullable(contentRange);
    }

    /** The whole disk's SHA-256 when bytes are served. */
    public Optional<String> sha256() {
        return Optional.ofNullable(manifest).map(ImageManifest::sha256);
    }

    /** The manifest of the version served, for 200 and 206. */
    public Optional<ImageManifest> manifest() {
        return Optional.ofNullable(manifest);
    }

    /** Why the request failed, for the error statuses; empty on success. */
    public String message() {
        return message;
    }

    public String contentType() {
        return manifest == null ? "text/plain; charset=utf-8" : "application/octet-stream";
    }

    /** Headers to send besides {@code Content-Length}, in a stable order. */
    public Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", contentType());
        h.put("Accept-Ranges", "bytes");
        if (contentRange != null) {
            h.put("Content-Range", contentRange);
        }
        if (manifest != null) {
            h.put("ETag", "\"" + manifest.sha256() + "\"");
            h.put(ImageProtocol.SHA256_HEADER, manifest.sha256());
            h.put(ImageProtocol.SIZE_HEADER, Long.toString(manifest.sizeBytes()));
            h.put(ImageProtocol.PARENT_HEADER, Integer.toString(manifest.parentVersion()));
        }
        if (diffBase > 0) {
            h.put(ImageProtocol.DIFF_BASE_HEADER, Integer.toString(diffBase));
        }
        return Collections.unmodifiableMap(h);
    }

    /**
     * Writes the body: the selected bytes of the disk, or the error message. Does not close
     * {@code out}. The disk is opened here without following links.
     *
     * @return bytes written, always {@link #contentLength()}
     * @throws IOException if the disk was deleted meanwhile, is shorter than its manifest, or
     *                     {@code out} fails (the client went away)
     */
    public long transferTo(OutputStream out) throws IOException {
        if (disk == null) {
            out.write((message + "\n").getBytes(StandardCharsets.UTF_8));
            return contentLength;
        }
        try (FileChannel ch = FileChannel.open(disk, StandardOpenOption.READ, FileOps.NOFOLLOW)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(BUFFER, Math.max(contentLength, 1)));
            long pos = offset;
            long left = contentLength;
            while (left > 0) {
                buf.clear().limit((int) Math.min(buf.capacity(), left));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new IOException((diffBase > 0 ? "difference" : "disk") + " of " + manifest.ref() + " at "
                            + disk + " ends at byte " + pos + " before the " + (offset + contentLength)
                            + " bytes announced; delete and fetch it again");
                }
                out.write(buf.array(), 0, n);
                pos += n;
                left -= n;
            }
        }
        return contentLength;
    }

    @Override
    public String toString() {
        return "Served[" + status + ", " + contentLength + " bytes"
                + (contentRange == null ? "" : ", " + contentRange) + (message.isEmpty() ? "" : ", " + message) + "]";
    }
}
