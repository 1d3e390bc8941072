package io.deskmesh.node;

import io.deskmesh.hypervisor.HypervisorDriver;
import io.deskmesh.hypervisor.libvirt.LibvirtConfig;
import io.deskmesh.hypervisor.libvirt.LibvirtDriver;
import io.deskmesh.hypervisor.libvirt.QemuUser;
import io.deskmesh.node.reconcile.UserHomes;
import io.deskmesh.node.agent.AgentChannels;
import io.deskmesh.node.agent.AgentMonitor;
import io.deskmesh.node.agent.SimAgentChannels;
import io.deskmesh.node.agent.UnixSocketAgentChannels;
import io.deskmesh.hypervisor.sim.SimConfig;
import io.deskmesh.hypervisor.sim.SimDriver;
import io.deskmesh.hypervisor.sim.rfb.RfbConsoleServer;
import io.deskmesh.images.FetchConfig;
import io.deskmesh.images.ImageAlreadyExistsException;
import io.deskmesh.images.ImageManifest;
import io.deskmesh.images.ImageFetcher;
import io.deskmesh.images.ImageServer;
import io.deskmesh.images.LocalImageStore;
import io.deskmesh.images.SyntheticImages;
import io.deskmesh.model.command.CommandProcessor;
import io.deskmesh.model.command.CommandType;
import io.deskmesh.model.command.CreateGridCommand;
import io.deskmesh.model.command.JoinServerCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.RegisterImageVersionCommand;
import io.deskmesh.model.command.RemoveServerCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.node.api.broker.Broker;
import io.deskmesh.node.api.broker.BrokerSettings;
import io.deskmesh.node.api.broker.GridVmPreparer;
import io.deskmesh.node.api.broker.HostPreparer;
import io.deskmesh.node.console.ConsoleProxy;
import io.deskmesh.node.console.ConsoleSettings;
import io.deskmesh.node.console.SimConsoleLabels;
import io.deskmesh.node.http.ClusterView;
import io.deskmesh.node.http.NodeHttp;
import io.deskmesh.node.http.NodeMetrics;
import io.deskmesh.node.reconcile.Reconciler;
import io.deskmesh.raft.MeshRaftServer;
import io.deskmesh.raft.RaftConfig;
import io.deskmesh.raft.RaftHealth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One DeskMesh node: its Raft peer, hypervisor driver, base image store, reconciler, failure
 * detector and HTTP front door, wired together. {@link #start} bootstraps a new grid, joins one
 * through a member, or restarts from the data directory, whichever applies. Thread-safe.
 */
public final class Node implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    /** How often the sim's in-process agents send a heartbeat (the reference agent's default too). */
    static final Duration AGENT_HEARTBEAT = Duration.ofSeconds(2);

    private final NodeConfig config;
    private final NodeIdentity identity;
    private final MeshRaftServer raft;
    private final HypervisorDriver driver;
    private final LocalImageStore store;
    private final ImageFetcher fetcher;
    private final StoreReplicas replicas;
    private final Reconciler reconciler;
    private final FailureDetector failures;
    private final NodeMetrics metrics;
    private final NodeHttp http;
    private final io.deskmesh.node.api.Api api;
    private final Broker broker;
    private final RfbConsoleServer consoleServer;
    private final ConsoleProxy consoles;
    private final AgentMonitor agents;
    private final io.deskmesh.node.web.WebConsole web;
    private final boolean bootstrapped;
    private volatile String generatedAdminPassword;
    private final JoinProtocol.RecentJoins recentJoins = new JoinProtocol.RecentJoins();

    private Node(NodeConfig config, NodeIdentity identity, MeshRaftServer raft, boolean bootstrapped,
                 HypervisorDriver realDriver) throws IOException {
        this.config = config;
        this.identity = identity;
        this.raft = raft;
        this.bootstrapped = bootstrapped;
        if (realDriver != null) {
            this.consoleServer = null;
            this.driver = realDriver;
        } else {
            SimDriver sim = new SimDriver(SimConfig.builder().hostName(config.name()).capacity(config.simCapacity())
                    .storageRoot(config.dataDir().resolve("vms")).build());
            this.consoleServer = new RfbConsoleServer(SimConsoleLabels.from(raft::image), java.time.Clock.systemUTC());
            sim.attachConsoleServer(consoleServer);
            this.driver = sim;
        }
        this.store = new LocalImageStore(config.dataDir().resolve("images"), java.time.Clock.systemUTC(),
                new DriverLandingHook(driver.baseImages()));
        this.fetcher = new ImageFetcher(store, FetchConfig.defaults().withBearerToken(identity.token()));
        this.metrics = new NodeMetrics(config.name(), () -> raft.image().index(), raft::isLeader,
                () -> reconciler().actionsStarted(), () -> reconciler().actionsFailed());
        this.replicas = new StoreReplicas(store, fetcher, driver.baseImages());
        this.reconciler = new Reconciler(config.name(), config.http(), driver, replicas,
                this::timedSubmit, System::currentTimeMillis, raft::image, 4, new UserHomes(config.dataDir().resolve("users"),
                driver instanceof LibvirtDriver l && LibvirtConfig.QEMU_SYSTEM.equals(l.config().uri())
                        ? QemuUser.ofSystemInstance() : java.util.Optional.empty()));
        AgentChannels channels = driver instanceof LibvirtDriver libvirt ? new UnixSocketAgentChannels(libvirt)
                : new SimAgentChannels(driver, AGENT_HEARTBEAT);
        this.agents = new AgentMonitor(config.name(), channels, raft::image, this::timedSubmit, System::currentTimeMillis,
                config.agentSilence());
        this.failures = new FailureDetector(config.name(), raft, config.missingAfter(), System::currentTimeMillis);
        HostPreparer host = new HostPreparer(config.name(), driver, raft::image, commands -> raft.submitter().submitAll(commands),
                reconciler::placeForOwner);
        this.api = new io.deskmesh.node.api.Api(new io.deskmesh.node.api.ApiContext(config.name(), raft::image,
                commands -> raft.submitter().submitAll(commands), identity.token(), System::currentTimeMillis,
                new GridVmPreparer(host, raft::image, identity.token()), new RaftPeers()),
                io.deskmesh.node.api.ApiSettings.defaults().withTrustForwardedProto(config.trustForwardedProto()));
        this.broker = new Broker(api.context(), host, api.authenticator(), raft::isLeader, BrokerSettings.DEFAULTS);
        api.add(broker);
        this.consoles = new ConsoleProxy(api.context(), api.authenticator(), driver, ConsoleSettings.defaults(),
                api.settings().maxBodyBytes(), config.consolePort() == 0 ? null
                        : new java.net.InetSocketAddress(config.httpHost(), config.consolePort()));
        api.add(consoles);
        api.add(new io.deskmesh.node.api.admin.ImageRoutes(new io.deskmesh.node.api.ApiServices(api.context(),
                api.settings(), api.authenticator(), api.writes(), api.hashing()), store));
        this.web = new io.deskmesh.node.web.WebConsole(api);
        api.add(web);
        this.http = new NodeHttp(config.httpHost(), config.httpPort(), new Backend(), api);
    }

    /** Starts a node: restarts from its data, joins through {@code config.join()}, or bootstraps a grid. */
    public static Node start(NodeConfig config) throws Exception {
        // A real hypervisor is checked before the node touches a grid: a node that cannot run VMs must not join one.
        HypervisorDriver realDriver = "libvirt".equals(config.driver()) ? HypervisorSetup.libvirt(config) : null;
        try {
            return start(config, realDriver);
        } catch (Exception e) {
            closeQuietly(realDriver);
            throw e;
        }
    }

    private static Node start(NodeConfig config, HypervisorDriver realDriver) throws Exception {
        NodeIdentity known = NodeIdentity.load(config.dataDir()).orElse(null);
        MeshRaftServer raft;
        NodeIdentity identity;
        boolean bootstrapped = false;
        if (known != null) {
            if (!known.name().equals(config.name())) {
                throw new IllegalArgumentException("data directory " + config.dataDir() + " belongs to node '" + known.name()
                        + "', not '" + config.name() + "'; pass --name " + known.name() + " or another --data");
            }
            identity = known;
            raft = NodeRestart.start(config, known); // asks a member for its role first
        } else if (config.join() == null) {
            String token = config.token() != null ? config.token() : newToken();
            identity = new NodeIdentity(config.name(), UUID.randomUUID().toString(), token);
            identity.save(config.dataDir());
            raft = new MeshRaftServer(RaftConfig.of(config.name(), config.dataDir(), config.raft(), identity.gridId())).bootstrap();
            bootstrapped = true;
        } else {
            JoinProtocol.JoinResponse answer = JoinProtocol.request(config.join(),
                    new JoinProtocol.JoinRequest(config.name(), config.raft(), config.token()));
            identity = new NodeIdentity(config.name(), answer.gridId(), config.token(), List.of(config.join()));
            raft = new MeshRaftServer(RaftConfig.of(config.name(), config.dataDir(), config.raft(), answer.gridId()))
                    .join(answer.peers(), answer.asListener());
            identity.save(config.dataDir());
        }
        Node node = new Node(config, identity, raft, bootstrapped, realDriver);
        try {
            node.run(known == null);
        } catch (Exception e) {
            node.close();
            throw e;
        }
        return node;
    }

    private void run(boolean fresh) throws Exception {
        // Before the reconciler may base a VM on a landed version, the hypervisor has it as its own again.
        for (var failed : store.customizeLanded()) {
            LOG.warn("base image {} is not usable on this server yet: {}", failed.ref(), failed.getMessage());
        }
        http.start();
        consoles.start(); // before the grid hears of this node: a console port that is taken stops it here
        raft.addImageListener(broker::onImage); // first: connects wait on it
        raft.addImageListener(metrics::onImage);
        raft.addImageListener(reconciler::onImage);
        raft.addImageListener(consoles::onImage);
        raft.addImageListener(web::onImage);
        raft.addImageListener(new MemberAddresses(config.dataDir(), identity));
        if (bootstrapped) {
            submit(new CreateGridCommand(identity.gridId()));
            bootstrapAdmin();
        }
        if (fresh) {
            Reply r = submit(joinCommand());
            if (r instanceof Reply.Failed f) {
                throw new IllegalStateException("the grid refused server '" + config.name() + "': " + f.message());
            }
        }
        reconciler.registerWith(this::joinCommand);
        failures.start();
        broker.start();
        agents.start();
        web.start();
        LOG.info("node {} serving http://{} (Raft {}), grid {}", config.name(), config.http(), config.raft(), identity.gridId());
    }

    /** Creates the grid's first admin, with the configured password or a generated one kept for {@link #generatedAdminPassword}. */
    private void bootstrapAdmin() throws Exception {
        String password = config.adminPassword();
        if (password == null) {
            password = io.deskmesh.node.api.auth.BootstrapAdmin.generatePassword();
            generatedAdminPassword = password;
        }
        List<Reply> r = raft.submitter().submitAll(io.deskmesh.node.api.auth.BootstrapAdmin.commands(config.name(), password,
                new io.deskmesh.node.auth.PasswordHasher())).get(30, TimeUnit.SECONDS);
        if (r.get(0) instanceof Reply.Failed f) {
            throw new IllegalStateException("creating the grid's admin failed: " + f.message());
        }
    }

    private JoinServerCommand joinCommand() {
        return new JoinServerCommand(config.name(), config.site(), config.http(), driver.host().total());
    }

    private Reply submit(MeshCommand command) throws Exception {
        return timedSubmit(command).get(30, TimeUnit.SECONDS);
    }

    /** Submits through the Raft write path, timing submit-to-local-apply for the commit latency metric. */
    private java.util.concurrent.CompletableFuture<Reply> timedSubmit(MeshCommand command) {
        long start = System.nanoTime();
        return raft.submitter().submit(command).whenComplete((r, e) -> {
            if (e == null) {
                metrics.commitLatency().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            }
        });
    }

    private static String newToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public String name() {
        return config.name();
    }

    public String url() {
        return "http://" + config.http();
    }

    /** The grid's join token (give it to servers that should join). */
    public String joinToken() {
        return identity.token();
    }

    public String gridId() {
        return identity.gridId();
    }

    public ClusterImage image() {
        return raft.image();
    }

    public MeshRaftServer raft() {
        return raft;
    }

    public Reconciler reconciler() {
        return reconciler;
    }

    /** What the desktop agents of this server's VMs say. */
    public AgentMonitor agents() {
        return agents;
    }

    /** This server's hypervisor driver (tests inject faults through it). */
    public HypervisorDriver driver() {
        return driver;
    }

        public LocalImageStore imageStore() {
        return store;
    }

    /** The admin password this node generated when it bootstrapped the grid (show it once), if it did. */
    public java.util.Optional<String> generatedAdminPassword() {
        return java.util.Optional.ofNullable(generatedAdminPassword);
    }

    /** The sim hypervisor's RFB consoles of this host's VMs (tests count the input a viewer sent). */
    public RfbConsoleServer simConsoles() {
        return consoleServer;
    }

    /** This node's console proxy (WebSocket consoles of its front door, and hops for VMs it hosts). */
    public ConsoleProxy consoles() {
        return consoles;
    }

    /** The public REST API this node serves. */
    public io.deskmesh.node.api.Api api() {
        return api;
    }

    public boolean bootstrapped() {
        return bootstrapped;
    }

    /** Submits a command through this node's write path and waits for its reply. */
    public Reply execute(MeshCommand command) throws Exception {
        return submit(command);
    }

    /** The Raft group's membership as the API shows and changes it. */
    private final class RaftPeers implements io.deskmesh.node.api.ApiContext.RaftPeers {
        @Override
        public String role(String server) {
            try {
                var m = raft.membership();
                if (server.equals(raft.leaderId())) {
                    return "leader";
                }
                return m.voterIds().contains(server) ? "voter" : m.listenerIds().contains(server) ? "listener" : "none";
            } catch (RuntimeException e) {
                return "unknown";
            }
        }

        @Override
        public boolean remove(String server) throws IOException {
            if (!raft.membership().contains(server)) {
                return false;
            }
            raft.removePeer(server);
            return true;
        }
    }

    private final class Backend implements NodeHttp.Backend {
        @Override
        public Map<String, Object> health() {
            RaftHealth h = raft.health();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("status", h.isRunning() ? "ok" : "failed");
            out.put("node", config.name());
            out.put("raft", h);
            out.put("actionsInFlight", reconciler.inFlight().size());
            out.put("driver", config.driver());
            out.put("agentsReady", agents.readyVms().size());
            return out;
        }

        @Override
        public boolean healthy() {
            return raft.health().isRunning();
        }

        @Override
        public ClusterView cluster() {
            return ClusterView.of(raft.image(), config.name(), raft.leaderId());
        }

        @Override
        public String metrics() {
            return metrics.scrape() + consoles.scrape() + replicas.metrics();
        }

        @Override
        public Object join(JoinProtocol.JoinRequest request) {
            return JoinProtocol.answer(request, identity.gridId(), identity.token(), raft.membership(), recentJoins,
                    System.currentTimeMillis());
        }

        @Override
        public boolean tokenValid(String bearer) {
            return bearer != null && JoinProtocol.constantTimeEquals(bearer, identity.token());
        }

        @Override
        public ImageServer images() {
            return new ImageServer(store);
        }

        @Override
        public void removeServer(String name) throws Exception {
            Reply r = submit(new RemoveServerCommand(name));
            if (r instanceof Reply.Failed f) {
                throw new IllegalArgumentException(f.message());
            }
            if (raft.membership().contains(name)) {
                raft.removePeer(name);
            }
        }

        @Override
        public Map<String, Object> ping() {
            if (reconciler.hostDown()) {
                // Not an answer: the leader records this server missing until its hypervisor is back.
                throw new IllegalStateException("the hypervisor of node '" + config.name() + "' is not answering");
            }
            return Map.of("node", config.name(), "index", raft.image().index());
        }

        @Override
        public List<Reply> execute(List<MeshCommand> commands) throws Exception {
            dryRun(commands);
            return raft.submitter().submitAll(commands).get(30, TimeUnit.SECONDS);
        }

        @Override
        public NodeHttp.SyntheticImport importSynthetic(ImageRef ref, long sizeBytes, long seed) throws Exception {
            ImageManifest manifest;
            boolean imported = false;
            try {
                manifest = SyntheticImages.importInto(store, ref, sizeBytes, seed, 0, null);
                imported = true;
            } catch (ImageAlreadyExistsException e) {
                manifest = store.manifest(ref).orElseThrow(() -> e);
                if (raft.image().images().version(ref).isPresent()) {
                    throw e;
                }
            }
            Reply r = submit(new RegisterImageVersionCommand(ref.image(), ref.version(), manifest.sizeBytes(),
                    manifest.sha256(), 0, config.name()));
            if (r instanceof Reply.Failed && imported) {
                store.delete(ref);
            }
            return new NodeHttp.SyntheticImport(manifest, r);
        }

        /**
         * Applies the commands to a copy of this node's image first. The model answers a command it
         * refuses with a Failed reply, but one that makes it throw anything else would, once
         * committed, stop every node that applies it; such a command must never reach the log.
         */
        private void dryRun(List<MeshCommand> commands) {
            ClusterImage image = raft.image();
            long at = Math.max(image.at(), System.currentTimeMillis());
            for (int i = 0; i < commands.size(); i++) {
                try {
                    image = CommandProcessor.apply(image, image.index() + 1, at, List.of(commands.get(i))).image();
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("commands[" + i + "] (" + CommandType.of(commands.get(i))
                            + ") cannot be applied: " + e.getClass().getSimpleName() + ": " + e.getMessage()
                            + "; check that every field the command needs is present");
                }
            }
        }
    }

    @Override
    public void close() {
        closeQuietly(failures);
        closeQuietly(agents);
        closeQuietly(reconciler);
        closeQuietly(broker);
        closeQuietly(consoles);
        closeQuietly(web);
        closeQuietly(http);
        closeQuietly(api);
        closeQuietly(fetcher);
        closeQuietly(raft);
        closeQuietly(driver);
        closeQuietly(consoleServer);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            LOG.debug("closing {} failed: {}", c, e.toString());
        }
    }
}
