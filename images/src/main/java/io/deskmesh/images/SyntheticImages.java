package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * Deterministic pseudo-random stand-ins for base image disks, for the sim driver, the demo and
 * tests. Stateless and thread-safe.
 *
 * <p>The bytes depend only on (image, version, seed): two nodes, or two JDKs, produce the same
 * bytes and so the same SHA-256, and a shorter image is a prefix of a longer one with the same
 * inputs. The generator is SplitMix64 written out here rather than {@link java.util.SplittableRandom},
 * whose output the JDK does not promise to keep. The files are not valid qcow2; the sim driver
 * never reads them. About 1-2 GiB/s on one core.
 */
public final class SyntheticImages {
    private static final int BLOCK = 64 * 1024;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private SyntheticImages() {
    }

    /** A stream of {@code sizeBytes} bytes for the version and seed. */
    public static InputStream open(ImageRef ref, long sizeBytes, long seed) {
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("size of synthetic image " + ref + " is negative: " + sizeBytes);
        }
        return new Stream(streamSeed(ref, seed), sizeBytes);
    }

    /** Writes the bytes to {@code target}, replacing it. */
    public static void write(Path target, ImageRef ref, long sizeBytes, long seed) {
        try (InputStream in = open(ref, sizeBytes, seed);
             OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            FileOps.copy(in, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synthetic image " + ref + " to " + target + ": "
                    + e.getMessage(), e);
        }
    }

    /** Imports the bytes into {@code store} as {@code ref} and returns the manifest. */
    public static ImageManifest importInto(ImageStore store, ImageRef ref, long sizeBytes, long seed,
                                           int parentVersion, String template) {
        try (InputStream in = open(ref, sizeBytes, seed)) {
            return store.importStream(in, ref, parentVersion, template);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the synthetic stream never fails
        }
    }

    /** The SHA-256 of the bytes, without writing them anywhere. */
    public static String sha256(ImageRef ref, long sizeBytes, long seed) {
        MessageDigest d = Sha256.newDigest();
        try (InputStream in = open(ref, sizeBytes, seed)) {
            byte[] buf = new byte[BLOCK];
            int n;
            while ((n = in.read(buf)) != -1) {
                d.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Sha256.hex(d);
    }

    /** Mixes name, version and seed (FNV-1a over the name, then a SplitMix64 finaliser). */
    static long streamSeed(ImageRef ref, long seed) {
        long h = 0xcbf29ce484222325L ^ seed;
        for (byte b : ref.image().getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        h ^= ref.version() * 0x9e3779b97f4a7c15L;
        return mix(h);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Generates whole 64 KiB blocks of SplitMix64 output, so reads of any size see one sequence. */
    private static final class Stream extends InputStream {
        private final byte[] block = new byte[BLOCK];
        private long state;
        private long remaining;
        private int pos = BLOCK;

        Stream(long seed, long size) {
            this.state = seed;
            this.remaining = size;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (remaining == 0) {
                return -1;
            }
            if (len == 0) {
                return 0;
            }
            if (pos == BLOCK) {
                refill();
            }
            int n = (int) Math.min(Math.min(len, BLOCK - pos), remaining);
            System.arraycopy(block, pos, b, off, n);
            pos += n;
            remaining -= n;
            return n;
        }

        @Override
        public int available() {
            return (int) Math.min(remaining, BLOCK - pos);
        }

        private void refill() {
            long s = state;
            for (int i = 0; i < BLOCK; i += 8) {
                s += 0x9e3779b97f4a7c15L;
                LONGS.set(block, i, mix(s));
            }
            state = s;
            pos = 0;
        }
    }
}
