package io.deskmesh.testkit;

import io.deskmesh.model.command.AllocateVmsCommand;
import io.deskmesh.model.command.CommandProcessor;
import io.deskmesh.model.command.CommandProcessor.BatchResult;
import io.deskmesh.model.command.ConnectSessionCommand;
import io.deskmesh.model.command.CreateGrantCommand;
import io.deskmesh.model.command.CreateGridCommand;
import io.deskmesh.model.command.CreateGroupCommand;
import io.deskmesh.model.command.CreateTemplateCommand;
import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.command.DeleteTemplateCommand;
import io.deskmesh.model.command.DisconnectSessionCommand;
import io.deskmesh.model.command.DrainServerCommand;
import io.deskmesh.model.command.EndSessionCommand;
import io.deskmesh.model.command.ErrorCode;
import io.deskmesh.model.command.ExpireSessionCommand;
import io.deskmesh.model.command.FailReplicaTransferCommand;
import io.deskmesh.model.command.JoinServerCommand;
import io.deskmesh.model.command.LandReplicaCommand;
import io.deskmesh.model.command.MarkServerMissingCommand;
import io.deskmesh.model.command.MarkVmUnhealthyCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.RegisterImageVersionCommand;
import io.deskmesh.model.command.RejoinServerCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.command.ReportVmCreatedCommand;
import io.deskmesh.model.command.ReportVmRegeneratedCommand;
import io.deskmesh.model.command.ReportVmStartedCommand;
import io.deskmesh.model.command.ReportVmStoppedCommand;
import io.deskmesh.model.command.ReserveDesktopCommand;
import io.deskmesh.model.command.ResumeServerCommand;
import io.deskmesh.model.command.RetireVmCommand;
import io.deskmesh.model.command.SetGroupMembersCommand;
import io.deskmesh.model.command.StartReplicaTransferCommand;
import io.deskmesh.model.command.SuspectServerCommand;
import io.deskmesh.model.command.UpdateTemplateCommand;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ReplicaImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.MeshRecord;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.VmState;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A grid in a test: drives a {@link ClusterImage} by applying commands through
 * {@link CommandProcessor#apply}, one log entry per call, with increasing indexes and a fake log
 * clock that only moves when the test says so ({@link #advance}) or when {@link #ticking} asks it to.
 * The fluent helpers expect their command to succeed and throw an {@link AssertionError} with the
 * reply's message when it is refused; {@link #apply} and {@link #refused} are for commands a test
 * wants to see answered either way. Every record applied is kept, in order, so a test can replay the
 * log elsewhere. Not thread-safe: one test.
 *
 * <pre>{@code
 * GridFixture g = GridFixture.grid()
 *         .server("s1", "site-a", 16, 65_536, 500_000)
 *         .image("win11", 1, 10L << 30, "s1")
 *         .template("office", t -> t.baseImage("win11").desired(4))
 *         .user("ann", Role.USER).grant("office", "ann")
 *         .allocate("office", "s1", 4).buildAll();
 * Reply r = g.reserve("ann", "office");
 * }</pre>
 */
public final class GridFixture {
    /** The log time of the first entry: 2023-11-14T22:13:20Z. */
    public static final long EPOCH = 1_700_000_000_000L;
    public static final String GRID_ID = "test-grid";
    public static final String DEFAULT_SITE = "site-a";

    private ClusterImage image = ClusterImage.EMPTY;
    private long clock = EPOCH;
    private long tick;
    private int macs;
    private final List<MeshRecord> records = new ArrayList<>();
    private BatchResult last;

    private GridFixture() {
    }

    /** A fixture with nothing applied, not even the grid's creation. */
    public static GridFixture empty() {
        return new GridFixture();
    }

    /** A fixture whose first entry created the grid {@value #GRID_ID}. */
    public static GridFixture grid() {
        return empty().createGrid(GRID_ID);
    }

    // ---------------------------------------------------------------- clock, log and image

    /** The log time the next entry will be stamped with. */
    public long now() {
        return clock;
    }

    /** Moves the log clock forward. */
    public GridFixture advance(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("the log clock only moves forward, asked " + millis + " ms");
        }
        clock += millis;
        return this;
    }

    public GridFixture advance(Duration d) {
        return advance(d.toMillis());
    }

    /** Moves the clock forward by {@code millis} after every entry from now on (0 stops it). */
    public GridFixture ticking(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("tick must be >= 0, was " + millis);
        }
        tick = millis;
        return this;
    }

    /** The current cluster image. */
    public ClusterImage clusterImage() {
        return image;
    }

    /** Index of the last entry applied, 0 before the first. */
    public long index() {
        return image.index();
    }

    /** Every record applied so far, in log order. */
    public List<MeshRecord> records() {
        return List.copyOf(records);
    }

    /** The records of the last entry. */
    public List<MeshRecord> lastRecords() {
        return last == null ? List.of() : last.records();
    }

    /** The reply to the last command of the last entry. */
    public Reply lastReply() {
        if (last == null || last.replies().isEmpty()) {
            throw new IllegalStateException("no command applied yet");
        }
        return last.replies().get(last.replies().size() - 1);
    }

    /** The id in the last reply, when it was {@link Reply.Created}. */
    public String lastCreatedId() {
        if (lastReply() instanceof Reply.Created c) {
            return c.id();
        }
        throw new AssertionError("last reply is not Created: " + lastReply());
    }

    /** The image rebuilt by replaying {@link #records()} onto the empty image. */
    public ClusterImage replayLog() {
        return ClusterImage.fromRecords(image.index(), image.at(), records);
    }

    // ---------------------------------------------------------------- raw commands

    /** Applies the commands as one log entry at the next index and the current clock. */
    public BatchResult entry(List<? extends MeshCommand> commands) {
        BatchResult result = CommandProcessor.apply(image, image.index() + 1, clock, commands);
        if (result.image().index() != image.index() + 1) {
            throw new AssertionError("entry applied at index " + result.image().index() + ", expected "
                    + (image.index() + 1));
        }
        image = result.image();
        records.addAll(result.records());
        last = result;
        clock += tick;
        return result;
    }

    public BatchResult entry(MeshCommand... commands) {
        return entry(Arrays.asList(commands));
    }

    /** Applies one command as one entry and returns its reply, whatever it is. */
    public Reply apply(MeshCommand command) {
        return entry(List.of(command)).replies().get(0);
    }

    /** Applies one command that must succeed; throws with the reply's message when refused. */
    public Reply ok(MeshCommand command) {
        Reply reply = apply(command);
        if (reply instanceof Reply.Failed f) {
            throw new AssertionError("expected " + command + " to succeed at index " + image.index() + " but it was refused: "
                    + f.code() + ": " + f.message());
        }
        return reply;
    }

    /** Applies one command that must succeed, for chaining. */
    public GridFixture run(MeshCommand command) {
        ok(command);
        return this;
    }

    /** Applies one command that must be refused and returns the refusal. */
    public Reply.Failed refused(MeshCommand command) {
        Reply reply = apply(command);
        if (reply instanceof Reply.Failed f) {
            return f;
        }
        throw new AssertionError("expected " + command + " to be refused at index " + image.index() + " but it gave "
                + reply + " with records " + last.records());
    }

    /**
     * Applies one command that must be refused with {@code code} and a message containing every one of
     * {@code messageParts} (the bad value, what to do); returns the refusal.
     */
    public Reply.Failed refused(MeshCommand command, ErrorCode code, String... messageParts) {
        Reply.Failed f = refused(command);
        if (f.code() != code) {
            throw new AssertionError("expected " + command + " to be refused with " + code + " but got " + f.code() + ": "
                    + f.message());
        }
        for (String part : messageParts) {
            if (!f.message().contains(part)) {
                throw new AssertionError("refusal of " + command + " should mention \"" + part + "\" but says: " + f.message());
            }
        }
        return f;
    }

    // ---------------------------------------------------------------- grid and servers

    public GridFixture createGrid(String gridId) {
        return run(new CreateGridCommand(gridId));
    }

    /** Joins a server at {@code <name>:8443}. */
    public GridFixture server(String name, String site, int cpus, long memMb, long diskMb) {
        return run(new JoinServerCommand(name, site, name + ":8443", new Capacity(cpus, memMb, diskMb)));
    }

    /** Joins a server in {@value #DEFAULT_SITE} with 16 cores, 64 GiB and 1 TB of disk. */
    public GridFixture server(String name) {
        return server(name, DEFAULT_SITE, 16, 65_536, 1_000_000);
    }

    public GridFixture drain(String server) {
        return run(new DrainServerCommand(server));
    }

    public GridFixture resume(String server) {
        return run(new ResumeServerCommand(server));
    }

    public GridFixture missing(String server) {
        return run(new MarkServerMissingCommand(server, "stopped answering"));
    }

    public GridFixture suspect(String server) {
        return run(new SuspectServerCommand(server, "broker", "connection refused"));
    }

    public GridFixture rejoin(String server) {
        return run(new RejoinServerCommand(server, null));
    }

    // ---------------------------------------------------------------- base images

    /** Registers a base image version held complete by {@code onServer}. */
    public GridFixture image(String name, int version, long sizeBytes, String onServer) {
        return image(name, version, sizeBytes, onServer, 0);
    }

    public GridFixture image(String name, int version, long sizeBytes, String onServer, int parentVersion) {
        return run(new RegisterImageVersionCommand(name, version, sizeBytes, sha256(name + "@" + version), parentVersion,
                onServer));
    }

    /** Copies a version to {@code server} from any live, non-draining server holding it: start, then land. */
    public GridFixture replica(String imageName, int version, String server) {
        return transfer(imageName, version, server).run(new LandReplicaCommand(imageName, version, server));
    }

    /** Starts a transfer to {@code server} and leaves it in flight. */
    public GridFixture transfer(String imageName, int version, String server) {
        return transfer(imageName, version, server, sourceFor(new ImageRef(imageName, version), server));
    }

    public GridFixture transfer(String imageName, int version, String server, String source) {
        return run(new StartReplicaTransferCommand(imageName, version, server, source));
    }

    public GridFixture transferFailed(String imageName, int version, String server, String reason) {
        return run(new FailReplicaTransferCommand(imageName, version, server, reason));
    }

    /** The first holder by name that may serve the copy, preferring one that is not suspect. */
    private String sourceFor(ImageRef ref, String target) {
        String suspect = null;
        for (Map.Entry<String, ReplicaImage> e : image.images().replicas(ref).entrySet()) {
            ServerImage s = image.servers().get(e.getKey()).orElse(null);
            if (e.getValue().landed() && s != null && !s.missing() && !s.draining() && !s.name().equals(target)) {
                if (!s.suspect()) {
                    return s.name();
                }
                suspect = suspect == null ? s.name() : suspect;
            }
        }
        if (suspect != null) {
            return suspect;
        }
        throw new AssertionError("no live, non-draining server holds " + ref + " complete to copy it to '" + target + "'");
    }

    /** A stable fake sha256 of a text. */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- templates

    /** Creates a template with the defaults of {@link TemplateSpecBuilder}. */
    public GridFixture template(String name) {
        return template(TemplateSpecBuilder.template(name));
    }

    /** Creates a template from the defaults changed by {@code customize}. */
    public GridFixture template(String name, UnaryOperator<TemplateSpecBuilder> customize) {
        return template(customize.apply(TemplateSpecBuilder.template(name)));
    }

    public GridFixture template(TemplateSpecBuilder spec) {
        return run(new CreateTemplateCommand(spec.build()));
    }

    /** Updates a template starting from its current spec. */
    public GridFixture updateTemplate(String name, UnaryOperator<TemplateSpecBuilder> change) {
        TemplateImage t = image.templates().get(name)
                .orElseThrow(() -> new AssertionError("no template '" + name + "' to update"));
        return run(new UpdateTemplateCommand(change.apply(TemplateSpecBuilder.from(t.spec())).build()));
    }

    public GridFixture deleteTemplate(String name) {
        return run(new DeleteTemplateCommand(name));
    }

    // ---------------------------------------------------------------- accounts

    public GridFixture user(String name, Role role) {
        return run(new CreateUserCommand(name, "hash:" + name, role, DEFAULT_SITE));
    }

    public GridFixture user(String name) {
        return user(name, Role.USER);
    }

    public GridFixture admin(String name) {
        return user(name, Role.ADMIN);
    }

    public GridFixture group(String name, String... members) {
        return run(new CreateGroupCommand(name, List.of(members)));
    }

    public GridFixture members(String group, String... members) {
        return run(new SetGroupMembersCommand(group, List.of(members)));
    }

    /** Grants a user a template; the grant id is {@link #lastCreatedId()}. */
    public GridFixture grant(String template, String user) {
        return run(new CreateGrantCommand(template, user, null));
    }

    /** Grants a group a template; the grant id is {@link #lastCreatedId()}. */
    public GridFixture grantGroup(String template, String group) {
        return run(new CreateGrantCommand(template, null, group));
    }

    // ---------------------------------------------------------------- VMs

    /** Allocates {@code n} VMs of a template on a server; the ids are in the {@link Reply.Allocated} last reply. */
    public GridFixture allocate(String template, String server, int n) {
        return run(new AllocateVmsCommand(template, server, n));
    }

    /** Reports every allocated VM created (one entry) and then started (another entry). */
    public GridFixture buildAll() {
        List<String> built = createAll();
        if (!built.isEmpty()) {
            startAll(built);
        }
        return this;
    }

    /** Reports every allocated VM created, powered off, in one entry; returns their ids. */
    public List<String> createAll() {
        List<MeshCommand> commands = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (VmImage vm : image.vms().all()) {
            if (vm.state() == VmState.ALLOCATED) {
                ids.add(vm.vmId());
                commands.add(new ReportVmCreatedCommand(vm.vmId(), nextMac()));
            }
        }
        if (!commands.isEmpty()) {
            expectAllOk(entry(commands), commands);
        }
        return ids;
    }

    private void startAll(List<String> ids) {
        List<MeshCommand> commands = new ArrayList<>();
        for (String id : ids) {
            commands.add(new ReportVmStartedCommand(id));
        }
        expectAllOk(entry(commands), commands);
    }

    private static void expectAllOk(BatchResult result, List<MeshCommand> commands) {
        for (int i = 0; i < commands.size(); i++) {
            if (result.replies().get(i) instanceof Reply.Failed f) {
                throw new AssertionError("expected " + commands.get(i) + " to succeed but it was refused: " + f.code() + ": "
                        + f.message());
            }
        }
    }

    private String nextMac() {
        int n = ++macs;
        return String.format("52:54:00:%02x:%02x:%02x", (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
    }

    public GridFixture created(String vmId) {
        return run(new ReportVmCreatedCommand(vmId, nextMac()));
    }

    public GridFixture started(String vmId) {
        return run(new ReportVmStartedCommand(vmId));
    }

    public GridFixture stopped(String vmId) {
        return run(new ReportVmStoppedCommand(vmId));
    }

    /** Reports a VM regenerated from its template's current image version. */
    public GridFixture regenerated(String vmId) {
        VmImage vm = vm(vmId);
        int version = image.templates().get(vm.template()).map(t -> t.spec().imageVersion()).orElse(vm.imageVersion());
        return run(new ReportVmRegeneratedCommand(vmId, version));
    }

    public GridFixture unhealthy(String vmId, String reason) {
        return run(new MarkVmUnhealthyCommand(vmId, reason));
    }

    public GridFixture retire(String vmId) {
        return run(new RetireVmCommand(vmId, "test"));
    }

    /** A VM of the current image; fails when it does not exist. */
    public VmImage vm(String vmId) {
        return image.vms().get(vmId).orElseThrow(() -> new AssertionError("no VM '" + vmId + "'"));
    }

    /** Ids of a template's VMs on every server, sorted. */
    public List<String> vmIds(String template) {
        return image.vms().all().stream().filter(v -> v.template().equals(template)).map(VmImage::vmId).toList();
    }

    // ---------------------------------------------------------------- sessions

    /** Submits a login and returns the reply, whatever it is. */
    public Reply reserve(String user, String template, String... excludeServers) {
        return apply(new ReserveDesktopCommand(user, template, List.of(excludeServers)));
    }

    /** A login that must get a desktop. */
    public Reply.Reserved login(String user, String template, String... excludeServers) {
        return (Reply.Reserved) ok(new ReserveDesktopCommand(user, template, List.of(excludeServers)));
    }

    public GridFixture connect(String sessionId) {
        return run(new ConnectSessionCommand(sessionId));
    }

    public GridFixture disconnect(String sessionId) {
        return run(new DisconnectSessionCommand(sessionId));
    }

    public GridFixture endSession(String sessionId) {
        return run(new EndSessionCommand(sessionId, "logged off"));
    }

    public GridFixture expire(String sessionId) {
        return run(new ExpireSessionCommand(sessionId, "idle"));
    }

    /** A live session of the current image; fails when it does not exist. */
    public SessionImage session(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return image.sessions().get(sessionId).orElseThrow(() -> new AssertionError("no session '" + sessionId + "'"));
    }
}
