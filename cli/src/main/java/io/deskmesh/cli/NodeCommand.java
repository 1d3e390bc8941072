package io.deskmesh.cli;

import io.deskmesh.model.record.Capacity;
import io.deskmesh.node.Node;
import io.deskmesh.node.NodeConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code deskmesh node}: runs one DeskMesh node until stopped. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = {"Runs one DeskMesh node. The first node of a grid bootstraps it and prints a join token;",
                "further nodes join with --join (any member's HTTP address) and --token.",
                "Options may also come from a file (--config) with the same names without dashes, e.g. 'name=node1'."})
public final class NodeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", description = "A properties file with options (command-line options win).")
    Path config;

    @Option(names = "--name", description = "This server's unique name, e.g. node1.")
    String name;

    @Option(names = "--data", description = "Data directory: Raft log, snapshots, base images, identity.")
    Path data;

    @Option(names = "--http", description = "HTTP address host:port, e.g. 127.0.0.1:8080.")
    String http;

    @Option(names = "--peer", description = "Raft peer address host:port, e.g. 127.0.0.1:9080.")
    String peer;

    @Option(names = "--join", description = "HTTP address of any grid member, to join its grid.")
    String join;

    @Option(names = "--token", description = "The grid's join token (with --join; or to fix it when bootstrapping).")
    String token;

    @picocli.CommandLine.Mixin
    DriverOptions hypervisor = new DriverOptions();

    @Option(names = "--site", description = "The site this server stands in (rack, room, region).")
    String site;

    @Option(names = "--trust-forwarded-proto",
            description = {"Behind a TLS proxy: believe its X-Forwarded-Proto header about how browsers reached the",
                    "grid, so the session cookie is marked Secure. Only when every request comes through a proxy",
                    "that sets the header itself (a client could otherwise send it)."})
    Boolean trustForwardedProto;

    @Option(names = "--sim-cpus", description = "Cores the sim driver offers (default 16).")
    Integer simCpus;

    @Option(names = "--sim-memory-mb", description = "Memory the sim driver offers, MiB (default 65536).")
    Long simMemoryMb;

    @Option(names = "--sim-disk-mb", description = "Disk the sim driver offers, MiB (default 1000000).")
    Long simDiskMb;

    @Option(names = "--console-port", paramLabel = "PORT",
            description = {"TCP port for native VNC viewers (connection files), on the host of --http;",
                    "default: the HTTP port + 100; 0 for consoles in the browser only."})
    Integer consolePort;

    @Option(names = "--missing-after", description = "Seconds without an answer before a server is recorded missing (default 5).")
    Integer missingAfter;

    @Option(names = "--agent-silence-seconds", description = {"Seconds a VM's desktop agent, once heard, may stay silent",
            "before the VM is marked unhealthy and replaced (5 to 3600, default 10; agents heartbeat every 2 s)."})
    Integer agentSilence;

    @Option(names = "--admin-password", defaultValue = "${env:DESKMESH_ADMIN_PASSWORD}",
            description = {"Password of the grid's first admin ('admin'), created when this node bootstraps a grid;",
                    "default: $DESKMESH_ADMIN_PASSWORD, else generated and printed once. Ignored when joining."})
    String adminPassword;

    @Override
    public Integer call() throws Exception {
        Properties file = load(config);
        NodeConfig cfg;
        try {
            Capacity cap = new Capacity(intOf(simCpus, file, "sim-cpus", 16), longOf(simMemoryMb, file, "sim-memory-mb", 65_536),
                    longOf(simDiskMb, file, "sim-disk-mb", 1_000_000));
            String dataDir = pick(data == null ? null : data.toString(), file, "data");
            cfg = new NodeConfig(pick(name, file, "name"), dataDir == null ? null : Path.of(dataDir),
                    pick(http, file, "http"), pick(peer, file, "peer"), pick(join, file, "join"), pick(token, file, "token"),
                    orDefault(pick(hypervisor.driver, file, "driver"), "sim"), pick(site, file, "site"), cap,
                    Duration.ofSeconds(intOf(missingAfter, file, "missing-after", 5)),
                    pick(adminPassword, file, "admin-password"), pick(hypervisor.libvirtUri, file, "libvirt-uri"),
                    pick(hypervisor.domainType, file, "domain-type"),
                    Duration.ofSeconds(intOf(agentSilence, file, "agent-silence-seconds",
                            (int) NodeConfig.DEFAULT_AGENT_SILENCE.toSeconds())))
                    .withTrustForwardedProto(booleanOf(trustForwardedProto, file, "trust-forwarded-proto"));
            String httpAddress = cfg.http();
            cfg = cfg.withConsolePort(intOf(consolePort, file, "console-port",
                    NodeConfig.defaultConsolePort(httpAddress)));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        Node node;
        try {
            node = Node.start(cfg);
        } catch (IllegalStateException e) {
            throw new CliFailure("deskmesh node: " + e.getMessage()); // a hypervisor or data directory that is not ready
        }
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stop.countDown();
        }, "node-shutdown"));
        out.println("node " + node.name() + " is serving " + node.url() + " (grid " + node.gridId() + ")");
        String consoleHost = cfg.httpHost();
        node.consoles().vncPort().ifPresent(p -> out.println("Native consoles (VNC viewers, with a connection file"
                + " from the portal) on " + consoleHost + ":" + p + "."));
        if (node.bootstrapped()) {
            out.println("This node bootstrapped a new grid. Join more servers with:");
            out.println("  deskmesh node --name NAME --data DIR --http HOST:PORT --peer HOST:PORT --join " + cfg.http()
                    + " --token " + node.joinToken());
            if (node.generatedAdminPassword().isPresent()) {
                out.println("Its admin is 'admin' with password " + node.generatedAdminPassword().get()
                        + " (shown once; change it with PUT /api/v1/users/admin).");
            } else {
                out.println("Its admin is 'admin' with the password given (--admin-password, DESKMESH_ADMIN_PASSWORD"
                        + " or --config).");
            }
        }
        out.flush();
        stop.await();
        return 0;
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        if (file != null) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("--config " + file + " is not a readable file");
            }
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            }
            for (String key : p.stringPropertyNames()) {
                if (!java.util.Set.of("name", "data", "http", "peer", "join", "token", "driver", "site", "sim-cpus",
                        "sim-memory-mb", "sim-disk-mb", "missing-after", "admin-password", "libvirt-uri", "domain-type",
                        "agent-silence-seconds", "trust-forwarded-proto", "console-port").contains(key)) {
                    throw new IllegalArgumentException("--config " + file + ": unknown key '" + key + "'");
                }
            }
        }
        return p;
    }

    private static String pick(String option, Properties file, String key) {
        return option != null ? option : file.getProperty(key);
    }

    private static String orDefault(String v, String d) {
        return v == null ? d : v;
    }

    private static int intOf(Integer option, Properties file, String key, int d) {
        String v = pick(option == null ? null : option.toString(), file, key);
        try {
            return v == null ? d : Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " '" + v + "' is not a whole number");
        }
    }

    private static boolean booleanOf(Boolean option, Properties file, String key) {
        String v = pick(option == null ? null : option.toString(), file, key);
        if (v == null) {
            return false;
        }
        return switch (v.trim()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("--config: " + key + "='" + v + "' must be true or false");
        };
    }

    private static long longOf(Long option, Properties file, String key, long d) {
        String v = pick(option == null ? null : option.toString(), file, key);
        try {
            return v == null ? d : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " '" + v + "' is not a whole number");
        }
    }
}
