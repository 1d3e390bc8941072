package io.deskmesh.raft;

import io.deskmesh.model.codec.CodecException;
import io.deskmesh.model.codec.CommandCodec;
import io.deskmesh.model.command.CommandProcessor;
import io.deskmesh.model.command.CommandProcessor.BatchResult;
import io.deskmesh.model.image.ClusterImage;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The Ratis state machine of one node: it only decodes log entries, hands their commands to
 * {@link CommandProcessor}, swaps in the resulting {@link ClusterImage} and records the applied
 * term and index. All grid logic lives in {@code model}. Thread-safe: Ratis calls apply methods from
 * its single apply thread, everything else may be called from any thread.
 *
 * <p><b>Time.</b> The leader stamps each entry with its wall-clock time in
 * {@link #startTransaction}, never below the last stamp or the image's time, and writes it into the
 * log data, so every node replays exactly the leader's time.
 *
 * <p><b>Failure.</b> A committed entry that cannot be decoded or replayed ({@code CodecException},
 * {@code ReplayException}, or any other runtime error from the processor) would make this node's
 * image differ from the others' if it were skipped. So the node fails instead: it records the
 * reason (reported by {@link #failure()} and {@code MeshRaftServer.health()}), logs it at ERROR,
 * fails every waiting write, refuses new transactions, and throws from the apply call, on which
 * Ratis closes this node's group. The image stays at the last good index. A restart replays the
 * same entry and fails the same way until the node is upgraded (a log from a newer version) or the
 * bug is fixed; an operator can also wipe the node's data directory and let it rejoin by snapshot.
 * Since the log is the same everywhere, a bug in replay stops every node that reaches the entry:
 * the grid chooses to stop rather than let nodes hand out different desktops.
 *
 * <p><b>Listeners</b> get new images on a thread of their own ({@link ImagePublisher}), coalesced
 * to the latest, so a slow reconciler never blocks apply.
 */
public class MeshStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(MeshStateMachine.class);

    /** The image together with the log position it reflects; swapped atomically as one. */
    record Applied(ClusterImage image, TermIndex termIndex) {
    }

    private final String name;
    private final LongSupplier clock;
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final AtomicReference<Applied> state =
            new AtomicReference<>(new Applied(ClusterImage.EMPTY, TermIndex.INITIAL_VALUE));
    private final AtomicLong lastStamp = new AtomicLong();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final AtomicLong entriesApplied = new AtomicLong();
    private final AtomicLong commandsApplied = new AtomicLong();
    private final AtomicLong loadedSnapshotIndex = new AtomicLong(-1);
    private final ExecutorService completer;
    private final AppliedWaiters waiters;
    private final ImagePublisher publisher;
    private volatile Consumer<Membership> membershipListener = m -> { };

    /** A state machine stamping entries with the system clock. */
    public MeshStateMachine(String name) {
        this(name, System::currentTimeMillis);
    }

    /** A state machine stamping entries with {@code clock} (milliseconds since the epoch). */
    public MeshStateMachine(String name, LongSupplier clock) {
        this.name = name;
        this.clock = clock;
        this.completer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "deskmesh-applied-" + name);
            t.setDaemon(true);
            return t;
        });
        this.waiters = new AppliedWaiters(completer);
        this.publisher = new ImagePublisher(name);
    }

    // ---- what the node reads ------------------------------------------------------------------

    /** The node this state machine belongs to (for logs and thread names). */
    public String name() {
        return name;
    }

    /** The current image; identical on every node that applied the same index. */
    public ClusterImage image() {
        return state.get().image();
    }

    /** The last log index this node applied, metadata and configuration entries included. */
    public long appliedIndex() {
        return state.get().termIndex().getIndex();
    }

    /** Completes once this node has applied {@code index} (with the applied index then); fails if the node fails. */
    public CompletableFuture<Long> awaitApplied(long index) {
        return waiters.await(index);
    }

    /** Adds a listener that receives the current image, then newer ones, off the apply thread. */
    public void addImageListener(Consumer<ClusterImage> listener) {
        publisher.addListener(listener, image());
    }

    public void removeImageListener(Consumer<ClusterImage> listener) {
        publisher.removeListener(listener);
    }

    /**
     * Sets who hears each Raft configuration this node's log takes in (on the Raft thread that
     * applies it: the listener must be quick and must not throw).
     */
    void onMembershipChange(Consumer<Membership> listener) {
        this.membershipListener = listener;
    }

    @Override
    public void notifyConfigurationChanged(long term, long index, RaftConfigurationProto conf) {
        try {
            membershipListener.accept(Membership.of(conf));
        } catch (RuntimeException e) {
            LOG.warn("{}: membership listener failed at index {}", name, index, e);
        }
    }

    /** Why this node stopped applying the log, if it did. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** Command log entries applied since this process started (not counting snapshot loads). */
    public long entriesApplied() {
        return entriesApplied.get();
    }

    /** Commands applied since this process started. */
    public long commandsApplied() {
        return commandsApplied.get();
    }

    /** The index of the last snapshot this node loaded (at start or installed from the leader), or -1. */
    public long loadedSnapshotIndex() {
        return loadedSnapshotIndex.get();
    }

    // ---- lifecycle and snapshots --------------------------------------------------------------

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        SnapshotFiles.deleteLeftovers(raftStorage.getStorageDir().getStateMachineDir().toPath());
        getLifeCycle().startAndTransition(() -> load(storage.getLatestSnapshot()));
    }

    /** Ratis pauses before it installs a snapshot from the leader; without this the group closes itself. */
    @Override
    public void pause() {
        LifeCycle lifeCycle = getLifeCycle();
        if (lifeCycle.getCurrentState() == LifeCycle.State.RUNNING) {
            lifeCycle.transition(LifeCycle.State.PAUSING);
            lifeCycle.transition(LifeCycle.State.PAUSED);
        }
    }

    /** Loads the snapshot Ratis just installed (the storage directory was replaced, so rescan it). */
    @Override
    public void reinitialize() throws IOException {
        getLifeCycle().transition(LifeCycle.State.STARTING);
        try {
            load(storage.loadLatestSnapshot());
        } catch (IOException | RuntimeException e) {
            fail("could not load the snapshot installed from the leader: " + e.getMessage(), e);
            throw e;
        }
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    private void load(SingleFileSnapshotInfo snapshot) throws IOException {
        if (snapshot == null) {
            LOG.info("{}: no snapshot; starting from the empty image", name);
            return;
        }
        ClusterImage image = SnapshotFiles.read(snapshot);
        TermIndex at = snapshot.getTermIndex();
        state.set(new Applied(image, at));
        setLastAppliedTermIndex(at);
        loadedSnapshotIndex.set(at.getIndex());
        waiters.advance(at.getIndex());
        publisher.publish(image);
        LOG.info("{}: loaded snapshot {} (image index {}, {} bytes)", name, at, image.index(),
                snapshot.getFile().getPath().toFile().length());
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    /** Writes the current image for its applied term/index; Ratis calls this on its apply thread. */
    @Override
    public long takeSnapshot() throws IOException {
        Applied applied = state.get();
        TermIndex at = applied.termIndex();
        if (at.getIndex() <= 0 || failure.get() != null) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        SingleFileSnapshotInfo latest = storage.getLatestSnapshot();
        if (latest != null && latest.getIndex() >= at.getIndex()) {
            return latest.getIndex();
        }
        long started = System.nanoTime();
        SnapshotFiles.write(storage, applied.image(), at);
        LOG.info("{}: took snapshot {} (image index {}) in {} ms", name, at, applied.image().index(),
                (System.nanoTime() - started) / 1_000_000);
        return at.getIndex();
    }

    // ---- the log ------------------------------------------------------------------------------

    /** On the leader: stamps the entry with the leader's time, so every node replays the same time. */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
        TransactionContext.Builder builder = TransactionContext.newBuilder().setStateMachine(this)
                .setClientRequest(request);
        String failed = failure.get();
        if (failed != null) {
            TransactionContext refused = builder.build();
            refused.setException(new IllegalStateException("this node has failed and takes no writes: " + failed));
            return refused;
        }
        try {
            CommandCodec.Entry entry = CommandCodec.decodeEntry(request.getMessage().getContent().toByteArray());
            byte[] stamped = CommandCodec.encodeEntry(stamp(), entry.commands());
            return builder.setLogData(UnsafeByteOperations.unsafeWrap(stamped)).build();
        } catch (CodecException e) {
            TransactionContext refused = builder.build();
            refused.setException(e);
            return refused;
        }
    }

    /** The leader's wall-clock time, never below the last stamp nor the image's time (after a leader change). */
    long stamp() {
        long floor = state.get().image().at();
        long now = clock.getAsLong();
        return lastStamp.updateAndGet(prev -> Math.max(now, Math.max(prev, floor)));
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        TermIndex at = TermIndex.valueOf(entry);
        String failed = failure.get();
        if (failed != null) {
            throw new IllegalStateException("refusing to apply " + at + " after an earlier failure: " + failed);
        }
        Applied current = state.get();
        BatchResult result;
        try {
            CommandCodec.Entry decoded = CommandCodec.decodeEntry(
                    entry.getStateMachineLogEntry().getLogData().toByteArray());
            result = CommandProcessor.apply(current.image(), at.getIndex(), decoded.at(), decoded.commands());
            commandsApplied.addAndGet(decoded.commands().size());
        } catch (RuntimeException e) {
            fail("committed log entry " + at + " could not be applied (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + "); the node stops rather than diverge from the grid. Upgrade the node if"
                    + " the log came from a newer DeskMesh, else report a replay bug; the image stays at index "
                    + current.image().index(), e);
            throw e;
        }
        entriesApplied.incrementAndGet(); // before advance: a write acknowledged by advance is counted
        advance(new Applied(result.image(), at));
        publisher.publish(result.image());
        if (trx.getServerRole() != RaftPeerRole.LEADER) {
            // Only the leader answers clients; encoding replies on the others was a tenth of their apply time.
            return CompletableFuture.completedFuture(Message.EMPTY);
        }
        return CompletableFuture.completedFuture(
                Message.valueOf(UnsafeByteOperations.unsafeWrap(ReplyMessage.encode(at.getIndex(), result.replies()))));
    }

    /** Metadata and configuration entries move the applied index without touching the image. */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        Applied current = state.get();
        if (index > current.termIndex().getIndex()) {
            advance(new Applied(current.image(), TermIndex.valueOf(term, index)));
        }
    }

    private void advance(Applied next) {
        state.set(next);
        updateLastAppliedTermIndex(next.termIndex());
        waiters.advance(next.termIndex().getIndex());
    }

    private void fail(String reason, Throwable cause) {
        if (failure.compareAndSet(null, reason)) {
            LOG.error("{}: NODE FAILED: {}", name, reason, cause);
            waiters.fail(new CommandSubmitException("this node failed: " + reason, cause));
        }
    }

    @Override
    public void close() throws IOException {
        waiters.fail(new CommandSubmitException("the Raft server of node '" + name + "' is closed"));
        publisher.close();
        completer.shutdown();
        super.close();
    }

    @Override
    public String toString() {
        return "MeshStateMachine[" + name + " at " + state.get().termIndex() + "]";
    }
}
