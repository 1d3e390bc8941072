package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * A {@link StagedTransfer} of a {@link LocalImageStore}: {@code .staging/<image>@<version>.part}
 * plus {@code .expect}, a one-line record of the size, checksum and parent the part must become.
 * Not thread-safe (one owner, enforced by the store).
 *
 * <p>The SHA-256 is computed incrementally as bytes are appended, on a second thread
 * ({@link HashingWriter}); bytes that were already in the file (a resume after a restart) are
 * hashed once, before the first append or at {@link #complete()}, so completing never reads the
 * whole file twice.
 */
final class LocalStagedTransfer implements StagedTransfer {
    private static final int HASH_BUFFER = 1 << 20;

    private final LocalImageStore store;
    private final ImageRef ref;
    private final long expectedSize;
    private final String expectedSha256;
    private final int parentVersion;
    private final Path part;
    private final Path expect;
    private final MessageDigest digest = Sha256.newDigest();
    /** How many leading bytes of {@link #part} {@link #digest} has seen. */
    private long digested;
    private AppendStream openStream;
    private boolean finished;
    private boolean closed;

    LocalStagedTransfer(LocalImageStore store, ImageRef ref, long expectedSize, String expectedSha256,
                        int parentVersion) throws IOException {
        this.store = store;
        this.ref = ref;
        this.expectedSize = expectedSize;
        this.expectedSha256 = expectedSha256;
        this.parentVersion = parentVersion;
        String base = ref.image() + "@" + ref.version();
        this.part = store.stagingDirectory().resolve(base + ".part");
        this.expect = store.stagingDirectory().resolve(base + ".expect");
        // A link here would make appends write outside the store: remove it, never follow it.
        deleteIfSymbolicLink(part);
        deleteIfSymbolicLink(expect);
        String wanted = expectedSize + " " + expectedSha256 + " " + parentVersion;
        if (!wanted.equals(readExpectation()) || partSize() > expectedSize) {
            Files.deleteIfExists(part);
            Path tmp = store.stagingDirectory().resolve(base + ".expect.tmp");
            Files.deleteIfExists(tmp);
            Files.writeString(tmp, wanted + "\n", StandardOpenOption.CREATE_NEW);
            Files.move(tmp, expect, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public ImageRef ref() {
        return ref;
    }

    @Override
    public long expectedSize() {
        return expectedSize;
    }

    @Override
    public String expectedSha256() {
        return expectedSha256;
    }

    @Override
    public long bytesPresent() {
        try {
            return partSize();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + part + ": " + e.getMessage(), e);
        }
    }

    @Override
    public OutputStream append() {
        checkUsable();
        try {
            catchUpDigest();
            FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND, FileOps.NOFOLLOW);
            openStream = new AppendStream(ch, ch.size());
            return openStream;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + part + " to receive " + ref + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void reset() {
        checkUsable();
        try {
            Files.deleteIfExists(part);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + part + ": " + e.getMessage(), e);
        }
        digest.reset();
        digested = 0;
    }

    @Override
    public ImageManifest complete() {
        checkUsable();
        try {
            catchUpDigest();
            long size = partSize();
            String actual = Sha256.hex(digest);
            finished = true;
            if (size != expectedSize || !actual.equals(expectedSha256)) {
                discard();
                throw new ImageIntegrityException(ref, expectedSize, size, expectedSha256, actual);
            }
            if (!FileOps.isRealFile(part)) {
                Files.createFile(part); // an empty image: nothing was ever appended
            }
            FileOps.fsync(part);
            ImageManifest m = store.publishStaged(part, ref, size, actual, parentVersion);
            Files.deleteIfExists(expect);
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish " + ref + " from " + part + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void abort() {
        if (closed || finished) {
            return;
        }
        closeOpenStream();
        finished = true;
        discard();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closeOpenStream();
        closed = true;
        store.released(ref);
    }

    // ---- internals ----

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("the transfer of " + ref + " is closed; stage it again to resume");
        }
        if (finished) {
            throw new IllegalStateException("the transfer of " + ref + " was already completed or aborted");
        }
        if (openStream != null) {
            throw new IllegalStateException("the append stream of " + ref + " is still open; close it first");
        }
    }

    private long partSize() throws IOException {
        return FileOps.isRealFile(part) ? Files.size(part) : 0;
    }

    /** Brings {@link #digest} level with the file, e.g. after a restart or a failed write. */
    private void catchUpDigest() throws IOException {
        long size = partSize();
        if (digested > size) {
            digest.reset();
            digested = 0;
        }
        if (digested == size) {
            return;
        }
        try (FileChannel ch = FileChannel.open(part, StandardOpenOption.READ, FileOps.NOFOLLOW)) {
            ByteBuffer buf = ByteBuffer.allocate(HASH_BUFFER);
            while (digested < size) {
                buf.clear().limit((int) Math.min(buf.capacity(), size - digested));
                int n = ch.read(buf, digested);
                if (n < 0) {
                    throw new IOException(part + " shrank while it was being hashed");
                }
                digest.update(buf.array(), 0, n);
                digested += n;
            }
        }
    }

    private String readExpectation() throws IOException {
        if (!FileOps.isRealFile(expect)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(expect, FileOps.NOFOLLOW)) {
            return new String(in.readNBytes(256), StandardCharsets.UTF_8).strip();
        }
    }

    private void discard() {
        digest.reset();
        digested = 0;
        try {
            Files.deleteIfExists(part);
            Files.deleteIfExists(expect);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the partial copy " + part + ": " + e.getMessage(), e);
        }
    }

    private void closeOpenStream() {
        if (openStream != null) {
            try {
                openStream.close();
            } catch (IOException ignored) {
                // the channel is gone either way
            }
        }
    }

    private static void deleteIfSymbolicLink(Path p) throws IOException {
        if (Files.isSymbolicLink(p)) {
            Files.delete(p);
        }
    }

    /**
     * Appends to the part file through a {@link HashingWriter} (hashing on a second thread),
     * refusing bytes beyond the expected size. {@link #digest} belongs to the writer's thread until
     * {@link #close()} returns.
     */
    private final class AppendStream extends OutputStream {
        private final FileChannel channel;
        private final HashingWriter writer;
        private final long start;
        private long position;

        AppendStream(FileChannel channel, long position) {
            this.channel = channel;
            this.start = position;
            this.position = position;
            this.writer = new HashingWriter(channel, digest, expectedSize - position, ref.image() + "@" + ref.version());
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[]{(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (!channel.isOpen()) {
                throw new IOException("the append stream of " + ref + " is closed");
            }
            if (position + len > expectedSize) {
                close();
                finished = true;
                discard();
                throw new ImageIntegrityException(ref, expectedSize, position + len, expectedSha256, null);
            }
            writer.write(b, off, len);
            position += len;
        }

        @Override
        public void flush() throws IOException {
            writer.flush();
        }

        @Override
        public void close() throws IOException {
            if (openStream == this) {
                openStream = null;
            }
            try {
                writer.close();
            } finally {
                // Every byte the writer hashed is in the file; bytes of a failed write that are in
                // the file but not hashed are caught up from the file by catchUpDigest.
                digested = start + writer.hashed();
                channel.close();
            }
        }
    }
}
