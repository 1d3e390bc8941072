package io.deskmesh.raft;

import io.deskmesh.model.codec.CommandCodec;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.StateMachineException;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A node's write path: submits commands to the grid's Raft log and answers each with its reply once
 * this node's own image contains the write (read-your-writes). Thread-safe; one per node.
 *
 * <p><b>Group commit.</b> Submissions queue up; whenever fewer than {@code maxInFlight} log entries
 * are outstanding, the queue is drained into one entry of up to {@code maxBatch} commands. At low
 * load each command goes out at once on its own; under load, commands pile up while entries are in
 * flight and the next entry carries them all. Bounding what is in flight keeps the leader's memory
 * (and GC pauses) small. A {@link #submitAll} of at most {@code maxBatch} commands always lands in
 * one entry, applied together in order; a larger one is split into consecutive entries.
 *
 * <p><b>Errors.</b> The Raft client retries NotLeader answers and timeouts (any node forwards to the
 * leader). If no majority answers within the write deadline the future fails with
 * {@link NoQuorumException}; the write may still commit later (see there). Other failures complete
 * with {@link CommandSubmitException}. Futures complete on a submitter thread: callbacks should not
 * block (use the {@code *Async} variants to move work elsewhere).
 *
 * <p>All queue and in-flight state is confined to one loop thread, so there are no locks.
 */
public final class CommandSubmitter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CommandSubmitter.class);

    private enum Stage { QUEUED, SENT, COMMITTED, SETTLED }

    /** Commands submitted together, answered together. Mutable state touched only on the loop thread. */
    private static final class Pending {
        final List<MeshCommand> commands;
        final CompletableFuture<List<Reply>> future = new CompletableFuture<>();
        Stage stage = Stage.QUEUED;

        Pending(List<MeshCommand> commands) {
            this.commands = commands;
        }
    }

    private final Supplier<RaftClient> clientFactory;
    private final MeshStateMachine local;
    private final int maxBatch;
    private final int maxInFlight;
    private final Duration deadline;
    private final ExecutorService loop;
    private final ExecutorService done;
    private final Executor timeouts;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final List<List<Pending>> outstanding = new ArrayList<>();
    private final AtomicLong entriesSent = new AtomicLong();
    private final AtomicLong commandsSent = new AtomicLong();
    private RaftClient client;
    private volatile boolean closed;

    /**
     * @param clientFactory makes a Raft client when none is open (at first use, and after a failure
     *                      that left the previous one unusable)
     * @param local         this node's state machine, whose applied index a write waits for
     */
    public CommandSubmitter(Supplier<RaftClient> clientFactory, MeshStateMachine local, int maxBatch,
                            int maxInFlight, Duration deadline) {
        if (maxBatch < 1 || maxInFlight < 1 || maxInFlight > 64) {
            throw new IllegalArgumentException("maxBatch must be >= 1 and maxInFlight 1..64, were "
                    + maxBatch + " and " + maxInFlight);
        }
        this.clientFactory = clientFactory;
        this.local = local;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
        this.deadline = deadline;
        this.loop = Executors.newSingleThreadExecutor(daemon("deskmesh-submit-" + local.name()));
        this.done = Executors.newSingleThreadExecutor(daemon("deskmesh-submit-replies-" + local.name()));
        this.timeouts = CompletableFuture.delayedExecutor(deadline.toMillis(), TimeUnit.MILLISECONDS, this::onLoop);
    }

    /** Submits one command; completes with its reply once this node applied it. */
    public CompletableFuture<Reply> submit(MeshCommand command) {
        return submitAll(List.of(command)).thenApply(replies -> replies.get(0));
    }

    /** Submits commands in order; completes with their replies, in order, once this node applied them all. */
    public CompletableFuture<List<Reply>> submitAll(List<? extends MeshCommand> commands) {
        if (commands.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        List<Pending> parts = new ArrayList<>();
        for (int from = 0; from < commands.size(); from += maxBatch) {
            parts.add(new Pending(List.copyOf(commands.subList(from, Math.min(commands.size(), from + maxBatch)))));
        }
        if (closed) {
            return CompletableFuture.failedFuture(closedException());
        }
        onLoop(() -> {
            for (Pending p : parts) {
                if (closed) {
                    p.future.completeExceptionally(closedException());
                    continue;
                }
                queue.add(p);
                timeouts.execute(() -> timeOut(p));
            }
            pump();
        });
        return combine(parts);
    }

    /** Log entries sent since this submitter was made. */
    public long entriesSent() {
        return entriesSent.get();
    }

    /** Commands sent since this submitter was made. */
    public long commandsSent() {
        return commandsSent.get();
    }

    // ---- loop thread ------------------------------------------------------------------------------

    private void pump() {
        while (!closed && outstanding.size() < maxInFlight) {
            List<Pending> batch = new ArrayList<>();
            int size = 0;
            while (!queue.isEmpty()) {
                Pending next = queue.peek();
                if (next.stage != Stage.QUEUED) {
                    queue.poll();
                    continue;
                }
                if (size > 0 && size + next.commands.size() > maxBatch) {
                    break;
                }
                queue.poll();
                batch.add(next);
                size += next.commands.size();
            }
            if (batch.isEmpty()) {
                return;
            }
            send(batch, size);
        }
    }

    private void send(List<Pending> batch, int size) {
        List<MeshCommand> commands = new ArrayList<>(size);
        batch.forEach(p -> {
            p.stage = Stage.SENT;
            commands.addAll(p.commands);
        });
        outstanding.add(batch);
        entriesSent.incrementAndGet();
        commandsSent.addAndGet(size);
        CompletableFuture<RaftClientReply> reply;
        RaftClient used = null;
        try {
            used = client();
            byte[] entry = CommandCodec.encodeEntry(0, commands);
            reply = used.async().send(Message.valueOf(UnsafeByteOperations.unsafeWrap(entry)));
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        RaftClient sentWith = used;
        reply.whenCompleteAsync((r, e) -> onReply(batch, sentWith, r, e), this::onLoop);
    }

    private void onReply(List<Pending> batch, RaftClient sentWith, RaftClientReply reply, Throwable error) {
        outstanding.remove(batch);
        if (error == null && !reply.isSuccess()) {
            error = reply.getException();
        }
        if (error != null) {
            Throwable cause = unwrap(error);
            RuntimeException failure;
            if (cause instanceof StateMachineException) {
                failure = new CommandSubmitException("the leader refused the log entry: " + cause.getMessage(), cause);
            } else if (sentWith == null) {
                failure = new CommandSubmitException("no Raft client could be made: " + cause.getMessage(), cause);
            } else {
                // The client's ordered window is unusable after a retry failure: start a fresh client.
                dropClient(sentWith);
                failure = closed ? closedException() : new NoQuorumException(deadline, cause);
            }
            batch.forEach(p -> settle(p, null, failure));
        } else {
            ReplyMessage.Committed committed;
            try {
                committed = ReplyMessage.decode(reply.getMessage().getContent().toByteArray());
            } catch (RuntimeException e) {
                batch.forEach(p -> settle(p, null, new CommandSubmitException("the grid's reply could not be read", e)));
                pump();
                return;
            }
            batch.forEach(p -> {
                if (p.stage == Stage.SENT) {
                    p.stage = Stage.COMMITTED;
                }
            });
            local.awaitApplied(committed.index())
                    .orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS)
                    .whenCompleteAsync((applied, e) -> answer(batch, committed, e), this::onLoop);
        }
        pump();
    }

    private void answer(List<Pending> batch, ReplyMessage.Committed committed, Throwable error) {
        if (error != null) {
            Throwable cause = unwrap(error);
            RuntimeException failure = cause instanceof CommandSubmitException nodeFailed ? nodeFailed
                    : new CommandSubmitException("log index " + committed.index() + " committed, but this node had"
                    + " applied only index " + local.appliedIndex() + " after " + NoQuorumException.format(deadline)
                    + "; it is lagging or failed (see its health)", cause);
            batch.forEach(p -> settle(p, null, failure));
            return;
        }
        int offset = 0;
        for (Pending p : batch) {
            int n = p.commands.size();
            if (committed.replies().size() < offset + n) {
                settle(p, null, new CommandSubmitException("log index " + committed.index() + " answered "
                        + committed.replies().size() + " replies for more commands than that"));
            } else {
                settle(p, committed.replies().subList(offset, offset + n), null);
            }
            offset += n;
        }
    }

    private void timeOut(Pending p) {
        if (p.stage == Stage.QUEUED || p.stage == Stage.SENT) {
            settle(p, null, new NoQuorumException(deadline, null));
        }
    }

    private void settle(Pending p, List<Reply> replies, RuntimeException failure) {
        if (p.stage == Stage.SETTLED) {
            return;
        }
        p.stage = Stage.SETTLED;
        Runnable complete = failure == null ? () -> p.future.complete(List.copyOf(replies))
                : () -> p.future.completeExceptionally(failure);
        try {
            done.execute(complete);
        } catch (RejectedExecutionException shuttingDown) {
            complete.run();
        }
    }

    private RaftClient client() {
        if (client == null) {
            client = clientFactory.get();
        }
        return client;
    }

    private void dropClient(RaftClient failed) {
        if (failed == null || failed != client) {
            return;
        }
        client = null;
        closeQuietly(failed);
    }

    private void closeQuietly(RaftClient c) {
        try {
            done.execute(() -> {
                try {
                    c.close();
                } catch (IOException e) {
                    LOG.debug("closing a failed Raft client", e);
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            LOG.debug("not closing a Raft client while shutting down");
        }
    }

    private void onLoop(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException shuttingDown) {
            LOG.debug("submitter closed; dropping a task");
        }
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static CompletableFuture<List<Reply>> combine(List<Pending> parts) {
        if (parts.size() == 1) {
            return parts.get(0).future;
        }
        CompletableFuture<List<Reply>> all = CompletableFuture.completedFuture(List.of());
        for (Pending p : parts) {
            all = all.thenCombine(p.future, (a, b) -> {
                List<Reply> joined = new ArrayList<>(a);
                joined.addAll(b);
                return List.copyOf(joined);
            });
        }
        return all;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private CommandSubmitException closedException() {
        return new CommandSubmitException("the command submitter is closed; the node is shutting down");
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Fails everything queued or in flight and releases the Raft client. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CompletableFuture<Void> drained = new CompletableFuture<>();
        onLoop(() -> {
            CommandSubmitException e = closedException();
            queue.forEach(p -> settle(p, null, e));
            queue.clear();
            outstanding.forEach(batch -> batch.forEach(p -> settle(p, null, e)));
            outstanding.clear();
            if (client != null) {
                closeQuietly(client);
                client = null;
            }
            drained.complete(null);
        });
        try {
            drained.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("command submitter did not drain within 5s", e);
        }
        loop.shutdown();
        done.shutdown();
        try {
            done.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
