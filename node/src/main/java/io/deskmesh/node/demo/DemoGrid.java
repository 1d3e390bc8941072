package io.deskmesh.node.demo;

import io.deskmesh.images.ImageManifest;
import io.deskmesh.images.SyntheticImages;
import io.deskmesh.model.command.*;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.node.Node;
import io.deskmesh.node.NodeConfig;
import io.deskmesh.node.auth.PasswordHasher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A whole grid in one process for newcomers: N nodes on loopback with sim hypervisors, a seeded
 * admin and demo users, two base images and two templates with pools, so images replicate and VMs
 * appear within seconds. Node i (from 1) serves HTTP on {@code httpBase + i - 1}, native consoles
 * (VNC) on {@code consoleBase + i - 1} (by default {@code httpBase + 100 + i - 1}) and Raft on
 * {@code httpBase + 1000 + i - 1}. With a data directory the grid survives restarts (seeding happens
 * once); without one it lives in a temporary directory removed on close. Thread-safe.
 */
public final class DemoGrid implements AutoCloseable {
    public static final String ADMIN = "admin";

    /**
     * What the demo should look like.
     *
     * @param driver     {@code sim} (simulated hosts) or {@code libvirt} (real QEMU guests built from the
     *                   tiny guest on this machine's libvirtd)
     * @param libvirtUri with {@code libvirt}: the URI, or null for the node's default
     * @param domainType with {@code libvirt}: {@code kvm}, {@code qemu} or {@code auto}, or null for auto
     * @param consoleBase node i's native console port is {@code consoleBase + i - 1}; 0 for none;
     *                    {@link #DEFAULT_CONSOLE_BASE} for {@code httpBase + 100}
     */
    public record Options(int nodes, Path dataDir, int httpBase, String adminPassword, String userPassword, int users,
                          String driver, String libvirtUri, String domainType, int consoleBase) {
        public static final int DEFAULT_CONSOLE_BASE = -1;

        /** A demo on sim hosts. */
        public Options(int nodes, Path dataDir, int httpBase, String adminPassword, String userPassword, int users) {
            this(nodes, dataDir, httpBase, adminPassword, userPassword, users, "sim", null, null, DEFAULT_CONSOLE_BASE);
        }

        public Options {
            driver = driver == null ? "sim" : driver;
            if (!"sim".equals(driver) && !"libvirt".equals(driver)) {
                throw new IllegalArgumentException("--driver '" + driver + "' is not known: use 'sim' or 'libvirt'");
            }
            if ("sim".equals(driver) && (libvirtUri != null || domainType != null)) {
                throw new IllegalArgumentException("--libvirt-uri and --domain-type only apply to --driver libvirt");
            }
            if (nodes < 1 || nodes > 9) {
                throw new IllegalArgumentException("--nodes " + nodes + " is out of range: use 1 to 9");
            }
            if (httpBase < 1024 || httpBase + nodes + 1000 > 65_535) {
                throw new IllegalArgumentException("--http-port " + httpBase + " is out of range: use 1024 to "
                        + (65_535 - 1000 - nodes) + " (Raft uses the HTTP port + 1000)");
            }
            consoleBase = consoleBase == DEFAULT_CONSOLE_BASE ? httpBase + 100 : consoleBase;
            if (consoleBase != 0 && (consoleBase < 1024 || consoleBase + nodes > 65_536
                    || consoleBase < httpBase + nodes && consoleBase + nodes > httpBase
                    || consoleBase < httpBase + 1000 + nodes && consoleBase + nodes > httpBase + 1000)) {
                throw new IllegalArgumentException("--console-port " + consoleBase + " is out of range or overlaps the"
                        + " HTTP or Raft ports: give a port from 1024 whose next " + nodes + " are free of those, or 0"
                        + " for consoles in the browser only");
            }
            if (users < 0 || users > 10_000) {
                throw new IllegalArgumentException("--users " + users + " is out of range: use 0 to 10000");
            }
            for (String p : new String[]{adminPassword, userPassword}) {
                if (p != null && p.length() < 8) {
                    throw new IllegalArgumentException("passwords need at least 8 characters");
                }
            }
        }

        /** Whether the demo runs real guests. */
        public boolean libvirt() {
            return "libvirt".equals(driver);
        }
    }

    /** What to tell the person who started it. */
    public record Started(List<String> urls, String adminPassword, String userPassword, boolean seeded, Path dataDir,
                          boolean temporary, String token) {
    }

    private final List<Node> nodes = new ArrayList<>();
    private final Path root;
    private final boolean temporary;

    private final boolean libvirt;

    private DemoGrid(Path root, boolean temporary, boolean libvirt) {
        this.root = root;
        this.temporary = temporary;
        this.libvirt = libvirt;
    }

    public static DemoGrid create(Options options) throws IOException {
        boolean temporary = options.dataDir() == null;
        Path root = temporary ? Files.createTempDirectory("deskmesh-demo-") : options.dataDir().toAbsolutePath();
        Files.createDirectories(root);
        if (temporary && options.libvirt()) {
            // QEMU runs as libvirtd's user and must traverse to the nodes' images and disks (never list them)
            Files.setPosixFilePermissions(root, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        }
        return new DemoGrid(root, temporary, options.libvirt());
    }

    /** Starts the nodes and seeds the grid on first start. */
    public Started start(Options options) throws Exception {
        String token = null;
        // node1 creates the admin when it bootstraps the grid; on a restart the grid keeps its own
        String adminPassword = options.adminPassword() != null ? options.adminPassword() : generated();
        for (int i = 1; i <= options.nodes(); i++) {
            String http = "127.0.0.1:" + (options.httpBase() + i - 1);
            String raft = "127.0.0.1:" + (options.httpBase() + 1000 + i - 1);
            boolean first = i == 1;
            NodeConfig config = new NodeConfig("node" + i, root.resolve("node" + i), http, raft,
                    first ? null : "127.0.0.1:" + options.httpBase(), first ? null : token, "sim",
                    "site-" + (char) ('a' + (i - 1) % 2), null, Duration.ofSeconds(5), first ? adminPassword : null)
                    .withConsolePort(options.consoleBase() == 0 ? 0 : options.consoleBase() + i - 1);
            if (options.libvirt()) {
                config = config.withLibvirt(options.libvirtUri(), options.domainType());
            }
            Node node = Node.start(config);
            nodes.add(node);
            if (first) {
                token = node.joinToken();
            }
        }
        Node head = nodes.get(0);
        boolean seed = head.image().templates().size() == 0 && head.image().accounts().users().size() <= 1;
        String userPassword = null;
        if (seed) {
            userPassword = options.userPassword() != null ? options.userPassword() : generated();
            if (options.libvirt()) {
                seedLibvirt(head, userPassword, options.users());
            } else {
                seed(head, userPassword, options.users());
            }
        }
        return new Started(nodes.stream().map(Node::url).toList(), seed ? adminPassword : null, userPassword, seed, root,
                temporary, token);
    }

    private static void seed(Node head, String userPassword, int users) throws Exception {
        seedUsers(head, userPassword, users);
        ImageRef office = new ImageRef("win11-office", 1);
        ImageRef dev = new ImageRef("debian-dev", 1);
        for (ImageRef ref : List.of(office, dev)) {
            ImageManifest m = SyntheticImages.importInto(head.imageStore(), ref, 8L << 20, 42, 0, null);
            ok(head, new RegisterImageVersionCommand(ref.image(), ref.version(), m.sizeBytes(), m.sha256(), 0, head.name()));
        }
        seedTemplates(head, new TemplateSpec("office", 2, 4096, office.image(), 0, PoolKind.NON_PERSISTENT,
                DesiredVms.of(8), 2, 2, 1800, 600), new TemplateSpec("dev", 2, 2048, dev.image(), 0, PoolKind.PERSISTENT,
                DesiredVms.of(Math.max(2, Math.min(users, 6))), 1, 2, 3600, 3600));
    }

    /**
     * Real guests are small and slow to emulate: both pools use the tiny guest (a busybox desktop
     * with the reference agent), with few VMs, so a laptop or a 2-core CI machine runs them.
     */
    private static void seedLibvirt(Node head, String userPassword, int users) throws Exception {
        seedUsers(head, userPassword, users);
        ImageRef guest = new ImageRef("tiny-guest", 1);
        ImageManifest m = head.imageStore().importFile(TinyGuest.build(), guest, 0, null);
        ok(head, new RegisterImageVersionCommand(guest.image(), guest.version(), m.sizeBytes(), m.sha256(), 0, head.name()));
        seedTemplates(head, new TemplateSpec("office", 1, 192, guest.image(), 0, PoolKind.NON_PERSISTENT,
                DesiredVms.of(3), 2, 2, 1800, 600), new TemplateSpec("dev", 1, 192, guest.image(), 0, PoolKind.PERSISTENT,
                DesiredVms.of(2), 1, 2, 3600, 3600));
    }

    private static void seedTemplates(Node head, TemplateSpec office, TemplateSpec dev) throws Exception {
        ok(head, new CreateTemplateCommand(office));
        ok(head, new CreateTemplateCommand(dev));
        ok(head, new CreateGrantCommand(office.name(), null, "staff"));
        ok(head, new CreateGrantCommand(dev.name(), null, "staff"));
    }

    private static void seedUsers(Node head, String userPassword, int users) throws Exception {
        PasswordHasher hasher = new PasswordHasher();
        String userHash = hasher.hash(userPassword);
        List<MeshCommand> batch = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int u = 1; u <= users; u++) {
            names.add("user" + u);
            batch.add(new CreateUserCommand("user" + u, userHash, Role.USER, u % 2 == 0 ? "site-b" : "site-a"));
        }
        batch.add(new CreateGroupCommand("staff", names));
        for (MeshCommand c : batch) {
            ok(head, c);
        }
    }

    /**
     * A demo leaves no QEMU guest running; a temporary one leaves none defined either (its disks are
     * about to be removed), one with --data finds its VMs again, powered off, on the next run.
     */
    private static void powerOffVms(Node node, boolean delete) {
        try {
            for (var vm : node.driver().list()) {
                node.driver().destroy(vm.vmId());
                if (delete) {
                    node.driver().delete(vm.vmId());
                }
            }
        } catch (RuntimeException e) {
            System.err.println("could not remove the VMs of " + node.name() + ": " + e.getMessage());
        }
    }

    private static void ok(Node node, MeshCommand command) throws Exception {
        Reply r = node.execute(command);
        if (r instanceof Reply.Failed f) {
            throw new IllegalStateException("seeding the demo failed at " + command.type() + ": " + f.message());
        }
    }

    private static String generated() {
        String alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        SecureRandom r = new SecureRandom();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 14; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    public ClusterImage image() {
        return nodes.get(0).image();
    }

    @Override
    public void close() {
        if (libvirt) {
            // No node may build a VM after its host's VMs were listed: stop every reconciler first.
            nodes.forEach(n -> n.reconciler().close());
            nodes.forEach(n -> powerOffVms(n, temporary));
        }
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).close();
        }
        if (temporary) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort: a temporary directory
            }
        }
    }
}
