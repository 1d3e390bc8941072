package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Prints how fast a base image moves between two stores over loopback HTTP (fetch with resume
 * support and SHA-256 verification) next to a plain {@code Files.copy} of the same file. Not a
 * test and asserts nothing: timings depend on the machine. Lives with the tests because its peer
 * is the JDK's test HTTP server.
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -q -pl images -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 * java -cp images/target/test-classes:images/target/classes:$(cat images/target/cp.txt) \
 *      io.deskmesh.images.TransferThroughput [sizeMiB=256] [rounds=3]
 * </pre>
 */
public final class TransferThroughput {
    private static final ImageRef REF = new ImageRef("throughput", 1);

    private TransferThroughput() {
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 256;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long size = mib * 1024 * 1024;
        Path dir = Files.createTempDirectory("deskmesh-throughput");
        try {
            run(dir, size, rounds);
        } finally {
            FileOps.deleteTree(dir);
        }
    }

    private static void run(Path dir, long size, int rounds) throws Exception {
        System.out.printf(Locale.ROOT, "base image %s, %d MiB, %d rounds, %s, %d cpus, java %s%n", REF,
                size >> 20, rounds, System.getProperty("os.name"), Runtime.getRuntime().availableProcessors(),
                Runtime.version());
        LocalImageStore source = new LocalImageStore(dir.resolve("source"));
        LocalImageStore target = new LocalImageStore(dir.resolve("target"));

        long t0 = System.nanoTime();
        ImageVersionImage expected = SyntheticImages.importInto(source, REF, size, 1, 0, null).toVersionImage(0);
        report("synthetic import (generate + sha256 + write)", size, List.of(System.nanoTime() - t0));

        List<Long> copy = new ArrayList<>();
        List<Long> hash = new ArrayList<>();
        List<Long> fetch = new ArrayList<>();
        Path copied = dir.resolve("copy.bin");
        try (TestPeer peer = new TestPeer(source); ImageFetcher fetcher = new ImageFetcher(target, FetchConfig.defaults())) {
            for (int r = 0; r < rounds; r++) {
                long s = System.nanoTime();
                Files.copy(source.diskPath(REF), copied);
                copy.add(System.nanoTime() - s);
                Files.delete(copied);

                s = System.nanoTime();
                sha256(source.diskPath(REF));
                hash.add(System.nanoTime() - s);

                s = System.nanoTime();
                fetcher.fetch(peer.base(), expected);
                fetch.add(System.nanoTime() - s);
                target.delete(REF);
            }
        }
        report("Files.copy (page cache to page cache)", size, copy);
        report("sha256 of the file alone", size, hash);
        report("fetch over loopback HTTP (stream + sha256 + publish)", size, fetch);
    }

    private static void sha256(Path p) throws IOException {
        MessageDigest d = Sha256.newDigest();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(p)) {
            int n;
            while ((n = in.read(buf)) != -1) {
                d.update(buf, 0, n);
            }
        }
        d.digest();
    }

    private static void report(String what, long size, List<Long> nanos) {
        List<Long> sorted = nanos.stream().sorted(Comparator.naturalOrder()).toList();
        long median = sorted.get(sorted.size() / 2);
        long best = sorted.getFirst();
        System.out.printf(Locale.ROOT, "%-55s median %7.1f MiB/s (%6.0f ms), best %7.1f MiB/s%n", what,
                mibPerSecond(size, median), median / 1e6, mibPerSecond(size, best));
    }

    private static double mibPerSecond(long size, long nanos) {
        return (size / 1048576.0) / (nanos / 1e9);
    }
}
