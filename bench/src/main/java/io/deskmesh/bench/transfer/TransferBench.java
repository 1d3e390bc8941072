package io.deskmesh.bench.transfer;

import io.deskmesh.images.Cancellation;
import io.deskmesh.images.FetchConfig;
import io.deskmesh.images.FetchReport;
import io.deskmesh.images.ImageFetcher;
import io.deskmesh.images.ImageServer;
import io.deskmesh.images.LocalImageStore;
import io.deskmesh.images.Qcow2Disks;
import io.deskmesh.images.TransferProgress;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;
import io.deskmesh.node.JoinProtocol;
import io.deskmesh.node.http.ClusterView;
import io.deskmesh.node.http.NodeHttp;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Measures base image transfer peer to peer over loopback HTTP — the node's own HTTP layer
 * ({@link NodeHttp}, Jetty) serving, {@link ImageFetcher} receiving with SHA-256 and fsync — next to
 * a plain {@code cp} of the same file, and what a difference transfer of a version with a share of
 * its clusters changed sends. Prints markdown tables; asserts nothing.
 *
 * <p>Disks are real qcow2 files (qemu-img, qemu-io). All files live under the working directory
 * (not /tmp, which may be memory) and were just written, so every read comes from the page cache for
 * {@code cp} and the transfer alike.
 *
 * <pre>
 * mvn -B -q -pl bench -am package -DskipTests
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/deskmesh-bench.jar io.deskmesh.bench.transfer.TransferBench [sizeMiB=1024] [rounds=3] [changed%=1]
 * </pre>
 */
public final class TransferBench {
    private static final String TOKEN = "bench-grid-token";
    private static final ImageRef V1 = new ImageRef("bench", 1);
    private static final ImageRef V2 = new ImageRef("bench", 2);

    private TransferBench() {
    }

    public static void main(String[] args) throws Exception {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        double changed = args.length > 2 ? Double.parseDouble(args[2]) : 1.0;
        Path dir = Files.createTempDirectory(Path.of("").toAbsolutePath(), "transfer-bench-");
        try {
            run(dir, mib << 20, rounds, changed);
        } finally {
            deleteTree(dir);
        }
    }

    private static void run(Path dir, long guest, int rounds, double changedPercent) throws Exception {
        System.out.printf(Locale.ROOT, "## Base image transfer, %d MiB qcow2, %d rounds (median), %d cpus, load %.1f,"
                + " java %s%n%n", guest >> 20, rounds, Runtime.getRuntime().availableProcessors(),
                load(), Runtime.version());
        Path v1 = Qcow2Disks.create(dir, "v1", guest, 1);
        int clusters = (int) Math.max(1, guest / Qcow2Disks.CLUSTER * changedPercent / 100);
        Path v2 = Qcow2Disks.changed(v1, dir.resolve("v2.qcow2"), guest, clusters);
        LocalImageStore source = new LocalImageStore(dir.resolve("source"));
        ImageVersionImage e1 = source.importFile(v1, V1, 0, "bench").toVersionImage(0);
        ImageVersionImage e2 = source.importFile(v2, V2, 1, "bench").toVersionImage(0);
        Files.delete(v1);
        Files.delete(v2);
        long size = e1.sizeBytes();

        try (NodeHttp http = new NodeHttp("127.0.0.1", 0, new ServingOnly(source), null).start()) {
            URI peer = URI.create("http://127.0.0.1:" + http.port());
            List<Long> cp = new ArrayList<>();
            List<Long> cpSync = new ArrayList<>();
            List<Long> full = new ArrayList<>();
            List<Long> fullCpu = new ArrayList<>();
            List<Long> hash = new ArrayList<>();
            List<Long> diff = new ArrayList<>();
            long diffBytes = 0;
            long firstDiff = 0;
            for (int round = 0; round < rounds; round++) {
                Path copy = dir.resolve("cp-" + round + ".qcow2");
                exec("sync"); // no earlier write-back competes with what is timed
                long t0 = System.nanoTime();
                exec("cp", source.diskPath(V1).toString(), copy.toString());
                long t1 = System.nanoTime();
                try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                long t2 = System.nanoTime();
                cp.add(t1 - t0);
                cpSync.add(t2 - t0);
                Files.delete(copy);

                long h0 = System.nanoTime();
                sha256(source.diskPath(V1));
                hash.add(System.nanoTime() - h0);

                LocalImageStore target = new LocalImageStore(dir.resolve("full-" + round));
                exec("sync");
                Timed r = fetch(target, peer, e1);
                full.add(r.report().bytesReceived() == size && r.report().mode() == FetchReport.Mode.FULL ? r.nanos()
                        : fail(r.report()));
                fullCpu.add(r.cpuNanos());
                deleteTree(target.root());

                LocalImageStore holder = new LocalImageStore(dir.resolve("diff-" + round));
                holder.importFile(source.diskPath(V1), V1, 0, "bench");
                exec("sync");
                Timed d = fetch(holder, peer, e2);
                if (d.report().mode() != FetchReport.Mode.DIFFERENCE) {
                    fail(d.report());
                }
                if (round == 0) {
                    firstDiff = d.nanos(); // includes computing the difference on the serving side
                } else {
                    diff.add(d.nanos());
                }
                diffBytes = d.report().bytesReceived();
                deleteTree(holder.root());
            }
            System.out.println("| what | time (median) | throughput | vs cp |");
            System.out.println("|---|---:|---:|---:|");
            row("`cp` (page cache to file, no fsync)", size, median(cp), median(cp));
            row("`cp` + fsync", size, median(cpSync), median(cp));
            row("SHA-256 of the file alone (JDK, one core)", size, median(hash), median(cp));
            row("fetch over loopback HTTP (Range-capable, sha256, fsync)", size, median(full), median(cp));
            System.out.println();
            System.out.printf(Locale.ROOT, "CPU time of the fetch (serving and fetching side together, this JVM): %s"
                    + " median; wall clock above moves with the machine's load, CPU time less so.%n%n",
                    ms(median(fullCpu)));
            System.out.printf(Locale.ROOT, "Difference transfer of version 2 (%d of %d clusters changed, %.1f%%):%n%n",
                    clusters, guest / Qcow2Disks.CLUSTER, changedPercent);
            System.out.println("| | bytes | share of the version | time |");
            System.out.println("|---|---:|---:|---:|");
            System.out.printf(Locale.ROOT, "| whole version | %,d | 100%% | %s |%n", e2.sizeBytes(), ms(median(full)));
            System.out.printf(Locale.ROOT, "| difference, first fetch (server computes it) | %,d | %.2f%% | %s |%n",
                    diffBytes, 100.0 * diffBytes / e2.sizeBytes(), ms(firstDiff));
            if (!diff.isEmpty()) {
                System.out.printf(Locale.ROOT, "| difference, cached on the server | %,d | %.2f%% | %s |%n",
                        diffBytes, 100.0 * diffBytes / e2.sizeBytes(), ms(median(diff)));
            }
            System.out.printf(Locale.ROOT, "%nBytes saved by the difference: %,d (%.1f%%)%n", e2.sizeBytes() - diffBytes,
                    100.0 * (e2.sizeBytes() - diffBytes) / e2.sizeBytes());
            System.out.printf(Locale.ROOT, "Load average at the end: %.1f%n", load());
        }
    }

    private record Timed(FetchReport report, long nanos, long cpuNanos) {
    }

    private static Timed fetch(LocalImageStore into, URI peer, ImageVersionImage expected) {
        try (ImageFetcher f = new ImageFetcher(into, FetchConfig.defaults().withBearerToken(TOKEN))) {
            long c0 = processCpuNanos();
            long t0 = System.nanoTime();
            FetchReport r = f.transfer(peer, expected, TransferProgress.NONE, new Cancellation());
            return new Timed(r, System.nanoTime() - t0, processCpuNanos() - c0);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static double load() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static long fail(FetchReport r) {
        throw new IllegalStateException("unexpected transfer: " + r);
    }

    private static void row(String what, long bytes, long nanos, long cpNanos) {
        System.out.printf(Locale.ROOT, "| %s | %s | %.0f MiB/s | %.0f%% |%n", what, ms(nanos),
                bytes / 1048576.0 / (nanos / 1e9), 100.0 * cpNanos / nanos);
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%,.0f ms", nanos / 1e6);
    }

    private static long median(List<Long> xs) {
        List<Long> s = xs.stream().sorted().toList();
        return s.get(s.size() / 2);
    }

    private static void sha256(Path file) throws IOException, java.security.NoSuchAlgorithmException {
        java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) != -1; ) {
                d.update(buf, 0, n);
            }
        }
        d.digest();
    }

    private static void exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed with exit code " + p.exitValue());
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A node's HTTP layer that only serves base images (the join token guards them, as on a node). */
    private record ServingOnly(LocalImageStore store) implements NodeHttp.Backend {
        @Override
        public Map<String, Object> health() {
            return Map.of("status", "ok");
        }

        @Override
        public boolean healthy() {
            return true;
        }

        @Override
        public ClusterView cluster() {
            throw new UnsupportedOperationException("the transfer bench serves base images only");
        }

        @Override
        public String metrics() {
            return "";
        }

        @Override
        public Object join(JoinProtocol.JoinRequest request) {
            throw new UnsupportedOperationException("the transfer bench serves base images only");
        }

        @Override
        public boolean tokenValid(String bearer) {
            return TOKEN.equals(bearer);
        }

        @Override
        public ImageServer images() {
            return new ImageServer(store);
        }

        @Override
        public void removeServer(String name) {
            throw new UnsupportedOperationException("the transfer bench serves base images only");
        }

        @Override
        public Map<String, Object> ping() {
            return Map.of();
        }

        @Override
        public List<Reply> execute(List<MeshCommand> commands) {
            throw new UnsupportedOperationException("the transfer bench serves base images only");
        }

        @Override
        public NodeHttp.SyntheticImport importSynthetic(ImageRef ref, long sizeBytes, long seed) {
            throw new UnsupportedOperationException("the transfer bench serves base images only");
        }
    }
}
