package io.deskmesh.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code deskmesh node} in a JVM of its own, started from the CLI jar (whose manifest finds the
 * dependencies in {@code lib/} beside it) with the sim driver on loopback ports. Its stdout and stderr
 * go, merged, to {@code <name>.log} in the run directory. Not thread-safe: the harness thread drives it,
 * except {@link #destroyNow} which a shutdown hook may call.
 */
final class NodeJvm {
    /**
     * How one node is started; the same for every node of a harness run except name and join address.
     * {@code {name}} in a JVM argument becomes the node's name (e.g. for a JFR file per node).
     */
    record Settings(Path cliJar, String token, String adminPassword, int simCpus, long simMemoryMb, long simDiskMb,
                    int missingAfterSeconds, List<String> jvmArgs) {
    }

    private final String name;
    private final Path dataDir;
    private final Path log;
    private final int httpPort = freePort();
    private final int peerPort = freePort();
    private final String join;
    private final Settings settings;
    private volatile Process process;

    /** @param join host:port of a member's HTTP front door to join through, or null to bootstrap */
    NodeJvm(String name, Path runDir, String join, Settings settings) {
        this.name = name;
        this.dataDir = runDir.resolve("data").resolve(name);
        this.log = runDir.resolve(name + ".log");
        this.join = join;
        this.settings = settings;
    }

    /** Starts the JVM and returns at once. */
    NodeJvm start() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        settings.jvmArgs().forEach(a -> command.add(a.replace("{name}", name)));
        command.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow"); // Netty in Ratis; JDK 21 does not know the flag
        }
        command.addAll(List.of("-jar", settings.cliJar().toString(), "node", "--name", name, "--data", dataDir.toString(),
                "--http", http(), "--peer", "127.0.0.1:" + peerPort, "--token", settings.token(), "--driver", "sim",
                "--sim-cpus", Integer.toString(settings.simCpus()), "--sim-memory-mb", Long.toString(settings.simMemoryMb()),
                "--sim-disk-mb", Long.toString(settings.simDiskMb()),
                "--missing-after", Integer.toString(settings.missingAfterSeconds()),
                "--console-port", "0")); // no native consoles in a load test: one port fewer to collide
        if (join != null) {
            command.addAll(List.of("--join", join));
        }
        try {
            Files.createDirectories(dataDir);
            Files.writeString(log, "==== " + LocalTime.now() + " start: " + String.join(" ", command) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            // The bootstrap admin's password goes by environment, so it is not on the process list.
            pb.environment().put("DESKMESH_ADMIN_PASSWORD", settings.adminPassword());
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + name + ": " + e.getMessage(), e);
        }
        return this;
    }

    /** SIGKILL, as when a server loses power; waits until the JVM is gone. */
    void kill() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroyForcibly();
        waitGone(p, 20);
        note("killed (SIGKILL) by the harness");
    }

    /** SIGTERM (the node's shutdown hook runs, a JFR recording is dumped), then SIGKILL after 20 s. */
    void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        if (!waitGone(p, 20)) {
            p.destroyForcibly();
            waitGone(p, 10);
        }
        note("stopped by the harness");
    }

    /** SIGKILL without waiting, for a shutdown hook. */
    void destroyNow() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    boolean alive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    String name() {
        return name;
    }

    /** host:port of its HTTP front door. */
    String http() {
        return "127.0.0.1:" + httpPort;
    }

    String url() {
        return "http://" + http();
    }

    Path log() {
        return log;
    }

    Path dataDir() {
        return dataDir;
    }

    /** The last lines of its log, for error messages. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    /** Lines of its log that contain {@code text}. */
    List<String> logLines(String text) {
        try {
            return Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream().filter(l -> l.contains(text)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public String toString() {
        return name + (alive() ? " (pid " + pid() + ", " + url() + ")" : " (not running, " + url() + ")");
    }

    private boolean waitGone(Process p, int seconds) {
        try {
            return p.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void note(String what) {
        try {
            Files.writeString(log, "==== " + LocalTime.now() + " " + what + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the log is a diagnostic aid only
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1: " + e.getMessage(), e);
        }
    }
}
