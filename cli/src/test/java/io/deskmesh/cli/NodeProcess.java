package io.deskmesh.cli;

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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code deskmesh node} in a JVM of its own, for integration tests: started from the built CLI
 * jar, killed with SIGKILL, and restarted with the same name, data directory and ports. The child's
 * stdout and stderr go, merged and appended across restarts, to {@code <name>.log} in the log
 * directory. Not thread-safe: one test thread drives it.
 */
final class NodeProcess implements AutoCloseable {
    /** The CLI jar; its manifest Class-Path finds the dependencies in {@code lib/} beside it. */
    static final String JAR_PROPERTY = "deskmesh.cli.jar";
    /** Extra JVM options for the children, space-separated. */
    static final String JVM_ARGS_PROPERTY = "deskmesh.it.node.jvm.args";

    private final String name;
    private final Path dataDir;
    private final Path log;
    private final int httpPort;
    private final int peerPort;
    private final int consolePort;
    private final String join;
    private final String token;
    private final int missingAfterSeconds;
    private Process process;
    private int starts;

    /**
     * @param join the HTTP address (host:port) of a member to join through, or null to bootstrap
     */
    NodeProcess(String name, Path root, Path logDir, String join, String token, int missingAfterSeconds) {
        this.name = name;
        this.dataDir = root.resolve(name);
        this.log = logDir.resolve(name + ".log");
        this.httpPort = freePort();
        this.peerPort = freePort();
        this.consolePort = freePort();
        this.join = join;
        this.token = token;
        this.missingAfterSeconds = missingAfterSeconds;
    }

    /** Starts the node's JVM (again, after a kill: same data directory and ports). Returns at once. */
    NodeProcess start() {
        if (alive()) {
            throw new IllegalStateException("node " + name + " is already running as pid " + process.pid());
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs());
        command.addAll(List.of("-jar", jar().toString(), "node", "--name", name, "--data", dataDir.toString(),
                "--http", http(), "--peer", "127.0.0.1:" + peerPort, "--token", token,
                "--console-port", Integer.toString(consolePort),
                "--missing-after", Integer.toString(missingAfterSeconds)));
        if (join != null) {
            command.addAll(List.of("--join", join));
        }
        try {
            Files.createDirectories(log.getParent());
            starts++;
            Files.writeString(log, "==== " + LocalTime.now() + " start #" + starts + ": " + String.join(" ", command) + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + name + ": " + e.getMessage(), e);
        }
        return this;
    }

    /** SIGKILL: no shutdown hook runs, as when a server loses power. Waits until the JVM is gone. */
    void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                throw new IllegalStateException("node " + name + " (pid " + process.pid() + ") did not die within 20 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing node " + name, e);
        }
        appendToLog("==== " + LocalTime.now() + " killed (SIGKILL) by the test\n");
    }

    /** SIGKILL without waiting, for a shutdown hook. */
    void destroyNow() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    String name() {
        return name;
    }

    /** Its native console port (--console-port). */
    int consolePort() {
        return consolePort;
    }

    /** host:port of its HTTP front door. */
    String http() {
        return "127.0.0.1:" + httpPort;
    }

    String url() {
        return "http://" + http();
    }

    Path dataDir() {
        return dataDir;
    }

    Path log() {
        return log;
    }

    /** The last {@code lines} lines of its log, for failure messages. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        kill();
    }

    @Override
    public String toString() {
        return name + (alive() ? " (pid " + process.pid() + ", " + url() + ")" : " (not running, " + url() + ")");
    }

    private void appendToLog(String line) {
        try {
            Files.writeString(log, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the log is a diagnostic aid only
        }
    }

    private static Path jar() {
        String jar = System.getProperty(JAR_PROPERTY);
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("system property " + JAR_PROPERTY + " is " + (jar == null ? "not set" : "'" + jar
                    + "', not a file") + "; run the test with 'mvn verify' (Failsafe sets it after 'package') or pass"
                    + " -D" + JAR_PROPERTY + "=cli/target/deskmesh-cli.jar");
        }
        return Path.of(jar).toAbsolutePath();
    }

    private static List<String> jvmArgs() {
        List<String> args = new ArrayList<>();
        String extra = System.getProperty(JVM_ARGS_PROPERTY, "");
        Arrays.stream(extra.trim().split("\\s+")).filter(a -> !a.isEmpty()).forEach(args::add);
        args.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 23) {
            // Netty inside Ratis uses sun.misc.Unsafe; JDK 23+ warns unless allowed (21 does not know the flag).
            args.add("--sun-misc-unsafe-memory-access=allow");
        }
        return args;
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on 127.0.0.1: " + e.getMessage(), e);
        }
    }
}
