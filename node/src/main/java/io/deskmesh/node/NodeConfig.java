package io.deskmesh.node;

import io.deskmesh.model.record.Capacity;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How one node runs: its name, data directory, addresses, how it enters a grid, its hypervisor
 * driver and site. Validated on construction with errors that name the bad value and what to pass
 * instead. Immutable.
 *
 * @param name         unique server name in the grid
 * @param dataDir      where the Raft log, snapshots, base images and node identity live
 * @param http         host:port of the HTTP front door (API, console, transfers)
 * @param raft         host:port of the Raft peer endpoint
 * @param join         host:port of any member's HTTP front door, or null to bootstrap a new grid
 * @param token        the grid's join token: required with {@code join}; optional when bootstrapping
 *                     (generated and printed when absent)
 * @param driver       {@code sim} or {@code libvirt}
 * @param site         the site this server stands in
 * @param simCapacity  capacity the sim driver offers
 * @param missingAfter a server silent this long is recorded missing
 * @param adminPassword the password of the bootstrap admin ('admin') this node creates when it bootstraps
 *                     a grid; null to generate one (see {@link Node#generatedAdminPassword()}); ignored
 *                     when joining or restarting
 * @param libvirtUri   with {@code --driver libvirt}: the libvirt connection URI of this machine's
 *                     hypervisor, {@code qemu:///system} by default; null with {@code sim}
 * @param domainType   with {@code --driver libvirt}: {@code kvm}, {@code qemu} (TCG) or {@code auto}
 *                     (the default: see {@link io.deskmesh.hypervisor.libvirt.HostVirtualization});
 *                     null with {@code sim}
 * @param agentSilence how long a VM's desktop agent, once heard, may stay silent before the VM is
 *                     marked unhealthy and replaced ({@code --agent-silence-seconds}); null: 10 s
 * @param trustForwardedProto whether a request's {@code X-Forwarded-Proto} header tells how the browser
 *                     reached the grid: only behind a TLS proxy that sets it (and strips it from clients);
 *                     it makes the session cookie {@code Secure}
 * @param consolePort  the TCP port, on the host of {@code http}, where native VNC viewers open consoles
 *                     with a connection file; 0 for none (consoles in the browser only)
 */
public record NodeConfig(String name, Path dataDir, String http, String raft, String join, String token,
                         String driver, String site, Capacity simCapacity, Duration missingAfter, String adminPassword,
                         String libvirtUri, String domainType, Duration agentSilence, boolean trustForwardedProto,
                         int consolePort) {
    public static final String DEFAULT_LIBVIRT_URI = "qemu:///system";
    /** Agents heartbeat every 2 s: a limit of 5 s lets two beats go missing before a VM is judged. */
    public static final Duration MIN_AGENT_SILENCE = Duration.ofSeconds(5);
    public static final Duration MAX_AGENT_SILENCE = Duration.ofHours(1);
    public static final Duration DEFAULT_AGENT_SILENCE = Duration.ofSeconds(10);

    /** Trusting no proxy's {@code X-Forwarded-Proto}. */
    public NodeConfig(String name, Path dataDir, String http, String raft, String join, String token, String driver,
                      String site, Capacity simCapacity, Duration missingAfter, String adminPassword,
                      String libvirtUri, String domainType, Duration agentSilence) {
        this(name, dataDir, http, raft, join, token, driver, site, simCapacity, missingAfter, adminPassword,
                libvirtUri, domainType, agentSilence, false, 0);
    }
    public static final String AUTO_DOMAIN_TYPE = "auto";

    /** Without an admin password: a bootstrapping node generates one. */
    public NodeConfig(String name, Path dataDir, String http, String raft, String join, String token, String driver,
                      String site, Capacity simCapacity, Duration missingAfter) {
        this(name, dataDir, http, raft, join, token, driver, site, simCapacity, missingAfter, null);
    }

    /** With the libvirt driver's defaults (when {@code driver} is {@code libvirt}). */
    public NodeConfig(String name, Path dataDir, String http, String raft, String join, String token, String driver,
                      String site, Capacity simCapacity, Duration missingAfter, String adminPassword) {
        this(name, dataDir, http, raft, join, token, driver, site, simCapacity, missingAfter, adminPassword, null, null);
    }

    /** With the default agent silence limit, trusting no proxy's {@code X-Forwarded-Proto}, without a native console port. */
    public NodeConfig(String name, Path dataDir, String http, String raft, String join, String token, String driver,
                      String site, Capacity simCapacity, Duration missingAfter, String adminPassword, String libvirtUri,
                      String domainType) {
        this(name, dataDir, http, raft, join, token, driver, site, simCapacity, missingAfter, adminPassword, libvirtUri,
                domainType, null, false, 0);
    }

    /** The native console port {@code deskmesh node} uses when none is given: the HTTP port + 100. */
    public static int defaultConsolePort(String http) {
        return port(http) + 100;
    }

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern HOST_PORT = Pattern.compile("([A-Za-z0-9.\\-]+|\\[[0-9a-fA-F:]+]):(\\d{1,5})");
    public static final Capacity DEFAULT_SIM_CAPACITY = new Capacity(16, 65_536, 1_000_000);

    public NodeConfig {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("--name " + quote(name) + " is invalid: use 1-63 lowercase letters, digits,"
                    + " '.', '_' or '-', starting with a letter or digit (e.g. --name node1)");
        }
        Objects.requireNonNull(dataDir, "--data is required: a directory for this node's log, snapshots and images");
        hostPort("--http", http);
        hostPort("--peer", raft);
        if (join != null) {
            hostPort("--join", join);
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("--join needs --token: the join token the first node printed"
                        + " (also in its data directory, file node.json)");
            }
        }
        if (token != null && token.length() < 16) {
            throw new IllegalArgumentException("--token is too short (" + token.length() + " characters): use at least 16");
        }
        if (!"sim".equals(driver) && !"libvirt".equals(driver)) {
            throw new IllegalArgumentException("--driver " + quote(driver) + " is not known: use 'sim' or 'libvirt'");
        }
        if ("libvirt".equals(driver)) {
            libvirtUri = libvirtUri == null ? DEFAULT_LIBVIRT_URI : libvirtUri.trim();
            requireLocalLibvirtUri(libvirtUri);
            domainType = domainType == null ? AUTO_DOMAIN_TYPE : domainType.trim();
            if (!java.util.Set.of("kvm", "qemu", AUTO_DOMAIN_TYPE).contains(domainType)) {
                throw new IllegalArgumentException("--domain-type " + quote(domainType) + " is not known: use 'kvm'"
                        + " (hardware virtualisation), 'qemu' (emulation, works without /dev/kvm) or 'auto'");
            }
        } else if (libvirtUri != null || domainType != null) {
            throw new IllegalArgumentException((libvirtUri != null ? "--libvirt-uri" : "--domain-type")
                    + " only applies to --driver libvirt; add --driver libvirt or drop the option");
        }
        site = site == null ? "" : site.trim();
        if (!site.isEmpty() && !NAME.matcher(site).matches()) {
            throw new IllegalArgumentException("--site " + quote(site) + " is invalid: use lowercase letters, digits,"
                    + " '.', '_' or '-'");
        }
        simCapacity = simCapacity == null ? DEFAULT_SIM_CAPACITY : simCapacity;
        missingAfter = missingAfter == null ? Duration.ofSeconds(5) : missingAfter;
        if (missingAfter.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("--missing-after " + missingAfter.toMillis() + " ms is too short: use 1 s or more");
        }
        agentSilence = agentSilence == null ? DEFAULT_AGENT_SILENCE : agentSilence;
        if (agentSilence.compareTo(MIN_AGENT_SILENCE) < 0 || agentSilence.compareTo(MAX_AGENT_SILENCE) > 0) {
            throw new IllegalArgumentException("--agent-silence-seconds " + agentSilence.toSeconds() + " is out of range:"
                    + " desktop agents heartbeat every 2 s, so use " + MIN_AGENT_SILENCE.toSeconds() + " to "
                    + MAX_AGENT_SILENCE.toSeconds() + " seconds (default " + DEFAULT_AGENT_SILENCE.toSeconds() + ")");
        }
        if (adminPassword != null && (adminPassword.length() < 8 || adminPassword.length() > 1024)) {
            throw new IllegalArgumentException("--admin-password is " + adminPassword.length() + " characters long: use 8 to 1024");
        }
        if (consolePort < 0 || consolePort > 65_535) {
            throw new IllegalArgumentException("--console-port " + consolePort + " is outside 0..65535: give a free port,"
                    + " or 0 for consoles in the browser only");
        }
        if (consolePort != 0 && (consolePort == port(http) || consolePort == port(raft) && host(raft).equals(host(http)))) {
            throw new IllegalArgumentException("--console-port " + consolePort + " is already the "
                    + (consolePort == port(http) ? "HTTP" : "Raft") + " port; give another (default: the HTTP port + 100)");
        }
    }

    /** The same configuration with the bootstrap admin's password. */
    public NodeConfig withAdminPassword(String password) {
        return new NodeConfig(name, dataDir, http, raft, join, token, driver, site, simCapacity, missingAfter, password,
                libvirtUri, domainType, agentSilence, trustForwardedProto, consolePort);
    }

    /** The same configuration, trusting (or not) the {@code X-Forwarded-Proto} of a TLS proxy in front. */
    public NodeConfig withTrustForwardedProto(boolean trust) {
        return new NodeConfig(name, dataDir, http, raft, join, token, driver, site, simCapacity, missingAfter,
                adminPassword, libvirtUri, domainType, agentSilence, trust, consolePort);
    }

    /** The same configuration with this native console port (0: none). */
    public NodeConfig withConsolePort(int port) {
        return new NodeConfig(name, dataDir, http, raft, join, token, driver, site, simCapacity, missingAfter,
                adminPassword, libvirtUri, domainType, agentSilence, trustForwardedProto, port);
    }

    /** The same configuration on the libvirt driver with this URI and domain type (null: the defaults). */
    public NodeConfig withLibvirt(String uri, String type) {
        return new NodeConfig(name, dataDir, http, raft, join, token, "libvirt", site, simCapacity, missingAfter,
                adminPassword, uri, type, agentSilence, trustForwardedProto, consolePort);
    }

    /** The libvirt URI must name this machine: disks, agent sockets and capacity are local files. */
    private static void requireLocalLibvirtUri(String uri) {
        java.net.URI parsed;
        try {
            parsed = new java.net.URI(uri);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("--libvirt-uri " + quote(uri) + " is not a URI (" + e.getReason()
                    + "): give e.g. qemu:///system");
        }
        if (parsed.getScheme() == null || parsed.getRawSchemeSpecificPart() == null
                || !parsed.getRawSchemeSpecificPart().startsWith("//")) {
            throw new IllegalArgumentException("--libvirt-uri " + quote(uri) + " is not a libvirt URI: give e.g."
                    + " qemu:///system (or test:///default for libvirt's fake hypervisor)");
        }
        if (parsed.getHost() != null && !parsed.getHost().isEmpty()) {
            throw new IllegalArgumentException("--libvirt-uri " + quote(uri) + " names another machine ('"
                    + parsed.getHost() + "'); a node drives the hypervisor of its own server: run the node on that"
                    + " machine with --libvirt-uri qemu:///system");
        }
    }

    /** Like the record's, but never shows the admin password. */
    @Override
    public String toString() {
        return "NodeConfig[name=" + name + ", dataDir=" + dataDir + ", http=" + http + ", raft=" + raft + ", join=" + join
                + ", driver=" + driver
                + (libvirtUri == null ? "" : ", libvirtUri=" + libvirtUri + ", domainType=" + domainType)
                + ", site=" + site + ", simCapacity=" + simCapacity + ", missingAfter=" + missingAfter
                + ", agentSilence=" + agentSilence + ", consolePort=" + consolePort
                + (adminPassword == null ? "" : ", adminPassword=(set)")
                + (trustForwardedProto ? ", trustForwardedProto=true" : "") + "]";
    }

    public String httpHost() {
        return host(http);
    }

    public int httpPort() {
        return port(http);
    }

    static String host(String hostPort) {
        String h = hostPort.substring(0, hostPort.lastIndexOf(':'));
        return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    }

    static int port(String hostPort) {
        return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
    }

    private static void hostPort(String option, String value) {
        if (value == null || !HOST_PORT.matcher(value).matches()) {
            throw new IllegalArgumentException(option + " " + quote(value) + " is invalid: give host:port, e.g. 127.0.0.1:8080");
        }
        int port = port(value);
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException(option + " " + quote(value) + " has port " + port + ", outside 1..65535");
        }
        if ("0.0.0.0".equals(host(value))) {
            throw new IllegalArgumentException(option + " " + quote(value) + " is not an address other servers can reach;"
                    + " give this server's own address");
        }
    }

    private static String quote(String v) {
        return v == null ? "(missing)" : "'" + v + "'";
    }
}
