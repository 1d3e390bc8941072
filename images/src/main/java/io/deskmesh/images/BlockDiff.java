package io.deskmesh.images;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A block-level binary difference between two versions of a disk file, and its application.
 * Stateless and thread-safe.
 *
 * <p>Why blocks at fixed offsets and not a qcow2 overlay: the grid registers the SHA-256 of the disk
 * <em>file</em>, and flattening an overlay with {@code qemu-img convert} rebuilds the file with its
 * own cluster layout, so the result would hold the same guest data in different bytes and never
 * pass the check. A new version made by running a VM on a copy of the old disk (the usual way)
 * rewrites clusters in place or appends new ones, so comparing 64 KiB blocks (qcow2's default
 * cluster) at the same offsets finds exactly what changed, and the receiver rebuilds the file
 * byte for byte from its own copy of the base. A disk rewritten from scratch shares few blocks at
 * the same offsets; the server then finds the difference not worth sending and the full file moves.
 *
 * <pre>
 * "DMDIFF01" | u64 base size | u64 target size | u32 block size
 * { u64 offset | u32 length | length bytes of the target }*      ascending, non-overlapping
 * u64 -1                                                         end
 * </pre>
 * Every target byte not in a record equals the base byte at the same offset; every block of the
 * target beyond the base's end is in a record.
 */
public final class BlockDiff {
    /** Compared unit: qcow2's default cluster size. */
    public static final int BLOCK = 64 * 1024;
    /** Longest record: consecutive changed blocks are merged up to this length. */
    static final int MAX_RECORD = 16 << 20;
    /** What {@link #apply} moves per read: unchanged runs of a base are long, so large reads pay. */
    private static final int COPY_BUFFER = 1 << 20;
    static final byte[] MAGIC = "DMDIFF01".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER = MAGIC.length + 8 + 8 + 4;
    private static final long END = -1;

    private BlockDiff() {
    }

    /**
     * Writes the difference that turns {@code base} into {@code target}.
     *
     * @return bytes written
     */
    public static long write(Path base, Path target, OutputStream sink) throws IOException {
        try (FileChannel b = FileChannel.open(base, StandardOpenOption.READ, FileOps.NOFOLLOW);
             FileChannel t = FileChannel.open(target, StandardOpenOption.READ, FileOps.NOFOLLOW)) {
            CountingOutputStream counted = new CountingOutputStream(sink);
            DataOutputStream out = new DataOutputStream(counted);
            long baseSize = b.size();
            long targetSize = t.size();
            out.write(MAGIC);
            out.writeLong(baseSize);
            out.writeLong(targetSize);
            out.writeInt(BLOCK);
            ByteBuffer bb = ByteBuffer.allocate(BLOCK);
            ByteBuffer tb = ByteBuffer.allocate(BLOCK);
            byte[] run = new byte[MAX_RECORD];
            int runLength = 0;
            long runStart = 0;
            for (long at = 0; at < targetSize; at += BLOCK) {
                int n = readFully(t, tb, at, (int) Math.min(BLOCK, targetSize - at));
                int m = at < baseSize ? readFully(b, bb, at, (int) Math.min(BLOCK, baseSize - at)) : 0;
                boolean same = m == n && Arrays.equals(tb.array(), 0, n, bb.array(), 0, n);
                if (same || runLength + n > MAX_RECORD) {
                    writeRecord(out, runStart, run, runLength);
                    runLength = 0;
                }
                if (!same) {
                    if (runLength == 0) {
                        runStart = at;
                    }
                    System.arraycopy(tb.array(), 0, run, runLength, n);
                    runLength += n;
                }
            }
            writeRecord(out, runStart, run, runLength);
            out.writeLong(END);
            out.flush();
            return counted.count;
        }
    }

    /**
     * Rebuilds the target from the base and a difference, writing it to {@code out} in order.
     *
     * @return the target's size
     * @throws IOException if the difference is malformed, was made against a base of another size,
     *                     or either stream ends early
     */
    public static long apply(InputStream base, long baseSize, InputStream diffStream, OutputStream out)
            throws IOException {
        DataInputStream diff = new DataInputStream(diffStream);
        byte[] magic = diff.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IOException("not a DeskMesh block difference (bad magic)");
        }
        long declaredBase = diff.readLong();
        long targetSize = diff.readLong();
        int block = diff.readInt();
        if (declaredBase != baseSize) {
            throw new IOException("the difference was made against a base of " + declaredBase + " bytes, this base has "
                    + baseSize);
        }
        if (targetSize < 0 || block <= 0) {
            throw new IOException("malformed difference header (target size " + targetSize + ", block " + block + ")");
        }
        byte[] buf = new byte[COPY_BUFFER];
        long pos = 0;
        while (true) {
            long offset = diff.readLong();
            if (offset == END) {
                break;
            }
            int length = diff.readInt();
            if (offset < pos || length <= 0 || length > MAX_RECORD || offset + length > targetSize) {
                throw new IOException("malformed difference record at offset " + offset + " (length " + length
                        + ", previous end " + pos + ", target size " + targetSize + ")");
            }
            copyBase(base, baseSize, pos, offset, out, buf);
            copyExactly(diff, length, out, buf);
            skipBase(base, baseSize, offset, offset + length);
            pos = offset + length;
        }
        copyBase(base, baseSize, pos, targetSize, out, buf);
        return targetSize;
    }

    /** Copies base bytes [from, to) (the base stream stands at {@code from}). */
    private static void copyBase(InputStream base, long baseSize, long from, long to, OutputStream out, byte[] buf)
            throws IOException {
        if (to <= from) {
            return;
        }
        if (to > baseSize) {
            throw new IOException("the difference leaves bytes " + Math.max(from, baseSize) + ".." + to
                    + " to the base, which has only " + baseSize);
        }
        copyExactly(base, to - from, out, buf);
    }

    /** Moves the base stream from {@code from} to {@code to}, or to its end if that comes first. */
    private static void skipBase(InputStream base, long baseSize, long from, long to) throws IOException {
        long n = Math.min(to, baseSize) - Math.min(from, baseSize);
        if (n > 0) {
            base.skipNBytes(n);
        }
    }

    private static void copyExactly(InputStream in, long n, OutputStream out, byte[] buf) throws IOException {
        long left = n;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                throw new EOFException("stream ended " + left + " bytes early");
            }
            out.write(buf, 0, r);
            left -= r;
        }
    }

    private static void writeRecord(DataOutputStream out, long offset, byte[] run, int length) throws IOException {
        if (length > 0) {
            out.writeLong(offset);
            out.writeInt(length);
            out.write(run, 0, length);
        }
    }

    private static int readFully(FileChannel ch, ByteBuffer buf, long at, int n) throws IOException {
        buf.clear().limit(n);
        while (buf.hasRemaining()) {
            if (ch.read(buf, at + buf.position()) < 0) {
                throw new IOException("file ended at " + (at + buf.position()) + " while being compared");
            }
        }
        return n;
    }

    private static final class CountingOutputStream extends java.io.FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
