package io.deskmesh.bench.load;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A grid of real node JVMs on loopback that the harness started and will stop: the first node
 * bootstraps it, the others join through it. A JVM shutdown hook kills every child should the harness
 * die first (Ctrl-C, an uncaught error), so no node outlives a run. Not thread-safe: the harness
 * thread drives it.
 */
final class LocalGrid implements AutoCloseable {
    private final Path runDir;
    private final NodeJvm.Settings settings;
    private final GridClient client;
    private final Report report;
    private final List<NodeJvm> nodes = new ArrayList<>();
    private final java.util.Map<String, Long> startMillis = new java.util.TreeMap<>();
    private final Thread killChildren;

    private LocalGrid(Path runDir, NodeJvm.Settings settings, GridClient client, Report report) {
        this.runDir = runDir;
        this.settings = settings;
        this.client = client;
        this.report = report;
        this.killChildren = new Thread(() -> nodes.forEach(NodeJvm::destroyNow), "gridload-kill-nodes");
        Runtime.getRuntime().addShutdownHook(killChildren);
    }

    /** Starts {@code count} nodes named node1..nodeN and waits until all are healthy, active servers. */
    static LocalGrid start(Path runDir, NodeJvm.Settings settings, int count, GridClient client, Report report) {
        LocalGrid grid = new LocalGrid(runDir, settings, client, report);
        try {
            long t0 = System.nanoTime();
            NodeJvm first = grid.add("node1", null);
            grid.timedStart(first);
            // One join at a time: each is a Raft membership change, and the grid settles each before the next.
            for (int i = 2; i <= count; i++) {
                grid.timedStart(grid.add("node" + i, first.http()));
            }
            Waits.until(count + " active servers", Duration.ofSeconds(60),
                    () -> GridView.activeServers(client.get(first.url(), "/api/v1/cluster", null)).size() == count,
                    () -> GridView.summary(client, first.url()));
            report.say(count + " nodes up in " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + grid.nodes);
            return grid;
        } catch (RuntimeException e) {
            grid.close();
            throw e;
        }
    }

    /**
     * Copies the CLI jar and its {@code lib/} into the run directory and returns the copy, so a rebuild
     * of the tree while the harness runs cannot pull jars from under the nodes.
     */
    static Path copyDist(Path cliJar, Path runDir) {
        if (!Files.isRegularFile(cliJar) || !Files.isDirectory(cliJar.getParent().resolve("lib"))) {
            throw new IllegalArgumentException("no node build at " + cliJar + " (with lib/ beside it); build it with"
                    + " 'mvn -q -o -pl cli -am install -DskipTests' or pass --cli-jar");
        }
        Path dist = runDir.resolve("dist");
        try {
            Files.createDirectories(dist.resolve("lib"));
            Files.copy(cliJar, dist.resolve(cliJar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            try (Stream<Path> lib = Files.list(cliJar.getParent().resolve("lib"))) {
                for (Path p : lib.toList()) {
                    Files.copy(p, dist.resolve("lib").resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the node build to " + dist + ": " + e.getMessage(), e);
        }
        return dist.resolve(cliJar.getFileName());
    }

    /** Starts one more node that joins through {@code via} (host:port); returns at once. */
    NodeJvm add(String name, String via) {
        NodeJvm n = new NodeJvm(name, runDir, via, settings).start();
        nodes.add(n);
        return n;
    }

    private void timedStart(NodeJvm n) {
        long t0 = System.nanoTime();
        awaitHealthy(n, Duration.ofSeconds(90));
        startMillis.put(n.name(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** How long each node of the initial grid took from process start to a healthy /healthz, in ms. */
    java.util.Map<String, Long> startMillis() {
        return java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(startMillis));
    }

    void awaitHealthy(NodeJvm n, Duration timeout) {
        Waits.until(n.name() + " healthy", timeout, () -> {
            if (!n.alive()) {
                throw new IllegalStateException(n.name() + " exited; log " + n.log() + ":\n" + n.logTail(30));
            }
            Answer a = client.send("GET", n.url(), "/healthz", null, null, Duration.ofSeconds(3)).join();
            String status = a.json().path("raft").path("status").asText();
            if ("FAILED".equals(status) || "CLOSED".equals(status)) {
                throw new IllegalStateException(n.name() + " reports its Raft group " + status + ": " + a.body());
            }
            return a.status() == 200;
        }, () -> "last log line: " + n.logTail(1));
    }

    List<NodeJvm> nodes() {
        return List.copyOf(nodes);
    }

    List<NodeJvm> live() {
        return nodes.stream().filter(NodeJvm::alive).toList();
    }

    List<String> urls() {
        return live().stream().map(NodeJvm::url).toList();
    }

    NodeJvm byName(String name) {
        return nodes.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node named '" + name + "' among " + nodes));
    }

    /** The node the first live node names as leader. */
    NodeJvm leader() {
        JsonNode view = client.get(live().get(0).url(), "/api/v1/cluster", null);
        return byName(view.path("leader").asText());
    }

    NodeJvm.Settings settings() {
        return settings;
    }

    /** Stops every node (SIGTERM, in parallel, then SIGKILL for stragglers). Safe to call twice. */
    @Override
    public void close() {
        List<Thread> stopping = new ArrayList<>();
        for (NodeJvm n : nodes) {
            Thread t = new Thread(n::stop, "gridload-stop-" + n.name());
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join(40_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        nodes.forEach(NodeJvm::destroyNow);
        try {
            Runtime.getRuntime().removeShutdownHook(killChildren);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: it kills the children itself
        }
        report.say("nodes stopped; logs in " + runDir);
    }
}
