package io.deskmesh.images;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Appends bytes to a file in large chunks and feeds each chunk, once it is in the file, to a
 * {@link MessageDigest} on a thread of its own, so that hashing overlaps receiving and writing;
 * every {@link #SYNC_EVERY} bytes it also asks the device to store what was written so far, so
 * that the owner's final fsync finds little left to write. One writer thread; not thread-safe
 * otherwise.
 *
 * <p>Why a second thread: SHA-256 costs about 0.6 s of CPU per GiB here (the JDK uses the CPU's
 * SHA instructions), as much as receiving and writing together; done in line it adds to every
 * byte's path, done beside it it costs no wall time on a machine with a core to spare. Why
 * chunks: the HTTP body arrives in pieces of a few KiB, and one {@code write} per piece costs more
 * system calls than the data is worth. Why early write-back: the kernel starts writing a file's
 * dirty pages only after 30 s or when 10 % of memory is dirty, so a 1 GiB transfer would reach its
 * final fsync with all of it unwritten (0.35 s here, on the critical path); synced as it arrives,
 * on the hashing thread's heels, the device works while the network does. These intermediate syncs
 * are an optimisation only: the owner still fsyncs the whole file before it lands.
 *
 * <p>Only bytes already written to the file reach the digest, so {@link #hashed()} never counts a
 * byte the file does not hold. After a failed write the file may hold a few bytes more than were
 * hashed; the owner hashes those from the file (see {@link LocalStagedTransfer}).
 */
final class HashingWriter {
    static final int CHUNK = 1 << 20;
    /** Chunks in flight: one being filled, the others being hashed or waiting to be. */
    private static final int CHUNKS = 4;
    private static final ByteBuffer END = ByteBuffer.allocate(0);
    /** Bytes between early write-backs. */
    static final long SYNC_EVERY = 64L << 20;

    private final FileChannel channel;
    private final MessageDigest digest;
    private final int chunkSize;
    private final BlockingQueue<ByteBuffer> toHash = new ArrayBlockingQueue<>(CHUNKS + 1);
    private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(CHUNKS);
    private final ArrayDeque<ByteBuffer> unused = new ArrayDeque<>();
    private final Thread hasher;
    private final Thread syncer;
    private final long syncEvery;
    /** Bytes written to the file, for the syncing thread; guarded by {@code this}. */
    private long written;
    private boolean stopSyncing;
    private int allocated;
    private ByteBuffer current;
    /** Bytes handed to the hashing thread; all of them are in the file. */
    private long hashed;
    private boolean closed;

    /**
     * @param sizeHint bytes expected; chunks are no larger than needed for small files
     */
    HashingWriter(FileChannel channel, MessageDigest digest, long sizeHint, String name) {
        this(channel, digest, sizeHint, name, SYNC_EVERY);
    }

    /** As above, with early write-backs every {@code syncEvery} bytes (tests use small files). */
    HashingWriter(FileChannel channel, MessageDigest digest, long sizeHint, String name, long syncEvery) {
        this.syncEvery = syncEvery;
        this.channel = channel;
        this.digest = digest;
        this.chunkSize = (int) Math.clamp(sizeHint, 4096, CHUNK);
        this.hasher = Thread.ofPlatform().daemon().name("deskmesh-image-hash-" + name).unstarted(this::hashLoop);
        hasher.start();
        this.syncer = sizeHint > syncEvery
                ? Thread.ofPlatform().daemon().name("deskmesh-image-sync-" + name).start(this::syncLoop) : null;
    }

    /** Bytes that have reached the file and the digest (after {@link #close()}: all of them). */
    long hashed() {
        return hashed;
    }

    void write(byte[] b, int off, int len) throws IOException {
        int at = off;
        int left = len;
        while (left > 0) {
            if (current == null) {
                current = takeFree();
            }
            int n = Math.min(left, current.remaining());
            current.put(b, at, n);
            at += n;
            left -= n;
            if (!current.hasRemaining()) {
                flush();
            }
        }
    }

    /** Writes the bytes gathered so far to the file and queues them for hashing. */
    void flush() throws IOException {
        if (current == null || current.position() == 0) {
            return;
        }
        ByteBuffer chunk = current;
        current = null;
        chunk.flip();
        try {
            while (chunk.hasRemaining()) {
                channel.write(chunk);
            }
        } catch (IOException e) {
            chunk.clear();
            unused.add(chunk);
            throw e;
        }
        hashed += chunk.limit();
        put(toHash, chunk);
        if (syncer != null) {
            synchronized (this) {
                written = hashed;
                notifyAll();
            }
        }
    }

    /**
     * Writes what is gathered, waits until every written byte is hashed, and stops the hashing
     * thread. The channel is left open. Idempotent.
     */
    void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        IOException failure = null;
        try {
            flush();
        } catch (IOException e) {
            failure = e;
        }
        boolean interrupted = false;
        while (true) {
            try {
                toHash.put(END);
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the digest must be complete before the owner reads it
            }
        }
        synchronized (this) {
            stopSyncing = true;
            notifyAll();
        }
        for (Thread t : syncer == null ? List.of(hasher) : List.of(hasher, syncer)) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private ByteBuffer takeFree() throws IOException {
        if (!unused.isEmpty()) {
            return unused.poll();
        }
        ByteBuffer b = free.poll();
        if (b != null) {
            return b;
        }
        if (allocated < CHUNKS) {
            allocated++;
            return ByteBuffer.allocate(chunkSize);
        }
        try {
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the hashing thread");
        }
    }

    private static void put(BlockingQueue<ByteBuffer> q, ByteBuffer b) throws InterruptedIOException {
        try {
            q.put(b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while handing a chunk to the hashing thread");
        }
    }

    private void syncLoop() {
        long synced = 0;
        while (true) {
            synchronized (this) {
                while (!stopSyncing && written - synced < syncEvery) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return; // nobody interrupts this thread
                    }
                }
                if (stopSyncing) {
                    return;
                }
                synced = written;
            }
            try {
                channel.force(false);
            } catch (IOException | RuntimeException e) {
                return; // the owner's own fsync reports a device that fails
            }
        }
    }

    private void hashLoop() {
        while (true) {
            ByteBuffer b;
            try {
                b = toHash.take();
            } catch (InterruptedException e) {
                continue; // nobody interrupts this thread; the END marker alone stops it
            }
            if (b == END) {
                return;
            }
            digest.update(b.array(), 0, b.limit());
            b.clear();
            free.add(b);
        }
    }
}
