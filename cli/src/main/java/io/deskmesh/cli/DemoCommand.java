package io.deskmesh.cli;

import io.deskmesh.node.demo.DemoGrid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code deskmesh demo}: a whole grid in this process, with sim hypervisors (or real QEMU guests) and seeded users. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Runs a whole DeskMesh grid in this process: N nodes on loopback with simulated hypervisors,",
                "an admin, demo users, two base images and two desktop pools. Stop it with Ctrl-C.",
                "With --driver libvirt the desktops are real QEMU guests (the tiny guest) on this machine's libvirtd."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "3", description = "Nodes to run (1-9, default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--data", description = "Keep the grid's state in this directory across runs (default: a temporary"
            + " directory removed on exit).")
    Path data;

    @Option(names = "--http-port", defaultValue = "8080",
            description = "Node i serves HTTP on this port + i - 1 and Raft on it + 1000 + i - 1 (default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--console-port", paramLabel = "PORT",
            description = "Node i takes native VNC viewers on this port + i - 1 (default: --http-port + 100; 0: none).")
    Integer consolePort;

    @Option(names = "--admin-password", description = "The admin's password (default: generated and printed once).")
    String adminPassword;

    @Option(names = "--user-password", description = "The demo users' password (default: generated and printed once).")
    String userPassword;

    @Option(names = "--users", defaultValue = "10", description = "Demo users user1..userN to create (default ${DEFAULT-VALUE}).")
    int users;

    @picocli.CommandLine.Mixin
    DriverOptions hypervisor = new DriverOptions();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        DemoGrid.Options options;
        try {
            options = new DemoGrid.Options(nodes, data, httpPort, adminPassword, userPassword, users, hypervisor.driver,
                    hypervisor.libvirtUri, hypervisor.domainType,
                    consolePort == null ? DemoGrid.Options.DEFAULT_CONSOLE_BASE : consolePort);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        DemoGrid grid = DemoGrid.create(options);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            grid.close();
            stop.countDown();
        }, "demo-shutdown"));
        out.println("Starting a " + nodes + "-node DeskMesh grid" + (options.libvirt()
                ? " with real QEMU guests (building the tiny guest on first use) ..." : " ..."));
        out.flush();
        DemoGrid.Started s;
        try {
            s = grid.start(options);
        } catch (IllegalStateException e) {
            grid.close();
            throw new CliFailure("deskmesh demo: " + e.getMessage());
        }
        out.println();
        out.println("DeskMesh demo grid is running.");
        for (int i = 0; i < s.urls().size(); i++) {
            out.printf("  node%d  %s%n", i + 1, s.urls().get(i));
        }
        out.println();
        out.println("  Your desktops:  " + s.urls().get(0) + "/  (in a browser; log in as a user below)");
        out.println("  Admin console:  " + s.urls().get(0) + "/admin");
        out.println("  See the grid:   curl " + s.urls().get(0) + "/api/v1/cluster");
        out.println("  Metrics:        curl " + s.urls().get(0) + "/metrics");
        String vncPorts = grid.nodes().stream().map(n -> n.consoles().vncPort()).filter(java.util.OptionalInt::isPresent)
                .map(p -> Integer.toString(p.getAsInt())).collect(java.util.stream.Collectors.joining(", "));
        if (!vncPorts.isEmpty()) {
            out.println("  VNC viewers:    ports " + vncPorts + " (open a desktop, then Download connection file)");
        }
        if (s.seeded()) {
            out.println("  Admin:          admin / " + s.adminPassword());
            out.println("  Users:          user1..user" + users + " / " + s.userPassword());
            out.println("                  (passwords are shown once; pass --admin-password/--user-password to choose them)");
        } else {
            out.println("  Accounts:       unchanged from the earlier run in " + s.dataDir());
        }
        out.println("  Join token:     " + s.token());
        out.println("  State:          " + s.dataDir() + (s.temporary() ? " (temporary, removed on exit)" : ""));
        out.println();
        out.println("Press Ctrl-C to stop.");
        out.flush();
        stop.await();
        return 0;
    }
}
