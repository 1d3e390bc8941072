package io.deskmesh.node.api.broker;

import io.deskmesh.model.command.ConnectSessionCommand;
import io.deskmesh.model.command.DisconnectSessionCommand;
import io.deskmesh.model.command.EndSessionCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.command.ReserveDesktopCommand;
import io.deskmesh.model.command.SuspectServerCommand;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.node.api.ApiContext;
import io.deskmesh.node.api.ApiException;
import io.deskmesh.node.api.Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Connection brokering at the front door: gets a user a desktop, or their existing one back.
 *
 * <p><b>Goals.</b> A login at any node lands on the best free desktop the user may use, or on the
 * session the user already has (reconnect); the desktop is ready (powered on) when the call returns.
 *
 * <p><b>Constraints.</b> One VM per session and one session per VM, also under races and failover:
 * the choice is made by {@code ReserveDesktopCommand} at apply time, never here. A host that does
 * not prepare the VM in time is suspected and skipped, and its reservation released, so a failed
 * connect leaves nothing behind. Without a majority nothing is reserved.
 *
 * <p><b>Algorithm.</b> Up to {@code maxAttempts} times: in one log entry, release what the previous
 * attempt left (suspect its host, end its reservation) and reserve with the failed hosts excluded; a
 * refusal (not entitled, no free desktop) ends the call with its reason. A fresh reservation is the
 * request to its host: the host prepares the VM as it applies the entry and records the session
 * connected ({@link HostReservations}); wait for that within the deadline. A reconnect asks the host
 * directly while recording the session connected. Answer once the session is connected; the console
 * proxy records attach and detach when the client opens the console. Blocking; thread-safe.
 */
public final class DesktopBroker {
    private static final Logger LOG = LoggerFactory.getLogger(DesktopBroker.class);
    static final String RESERVE_REFUSED = "your desktop cannot be reserved";

    /** A desktop made ready for a session. */
    public record Connected(String sessionId, String vmId, String server, String template, boolean reconnect) {
    }

    private final ApiContext ctx;
    private final GridWrites writes;
    private final BrokerSettings settings;
    private final Executor executor;

    /** @param executor runs the connect's concurrent write; virtual threads suit it (it only waits) */
    public DesktopBroker(ApiContext ctx, BrokerSettings settings, Executor executor) {
        this.ctx = ctx;
        this.writes = new GridWrites(ctx);
        this.settings = settings;
        this.executor = executor;
    }

    /** Reserves and prepares a desktop of {@code template} for {@code user}, or returns the user's session. */
    public Connected connect(String user, String template) {
        Set<String> excluded = new TreeSet<>();
        List<MeshCommand> release = List.of();
        List<String> failures = new ArrayList<>();
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            List<MeshCommand> entry = new ArrayList<>(release);
            entry.add(new ReserveDesktopCommand(user, template, List.copyOf(excluded)));
            List<Reply> replies = writes.submit(entry, RESERVE_REFUSED);
            Reply reply = replies.get(replies.size() - 1);
            if (reply instanceof Reply.Failed f) {
                throw refused(f, failures);
            }
            Reply.Reserved r = (Reply.Reserved) reply;
            PrepareException problem = r.reconnect() ? prepareAndConnect(r) : awaitHost(r);
            if (problem == null) {
                return new Connected(r.sessionId(), r.vmId(), r.server(), template, r.reconnect());
            }
            LOG.warn("connect of {} to {}: attempt {} on server {} failed: {}", user, template, attempt, r.server(),
                    problem.getMessage());
            failures.add(problem.getMessage());
            release = release(r, problem);
            if (problem.hostAtFault()) {
                excluded.add(r.server());
            }
        }
        try {
            writes.submit(release, "the failed reservation cannot be released");
        } catch (ApiException e) {
            LOG.warn("releasing the last failed reservation of {} failed: {}", user, e.getMessage());
        }
        throw new ApiException(503, "HOST_UNAVAILABLE", "no server got a desktop of template '" + template
                + "' ready in time (" + String.join("; ", failures) + "); try again shortly");
    }

    /** Marks the caller's (or, for an admin, anyone's) session disconnected; the VM stays theirs until the timeout. */
    public SessionImage disconnect(Principal caller, String sessionId) {
        visible(caller, sessionId);
        Reply r = writes.submit(new DisconnectSessionCommand(sessionId), "the session cannot be disconnected");
        if (r instanceof Reply.Failed f) {
            throw GridWrites.refusal(f);
        }
        return ctx.image().get().sessions().get(sessionId).orElseThrow(() -> notFound(sessionId));
    }

    /** Logs the session off: it ends, and a non-persistent VM is regenerated before anyone gets it. */
    public void logOff(Principal caller, String sessionId) {
        SessionImage s = visible(caller, sessionId);
        String reason = s.user().equals(caller.user()) ? "logged off" : "logged off by admin '" + caller.user() + "'";
        Reply r = writes.submit(new EndSessionCommand(sessionId, reason), "the session cannot be logged off");
        if (r instanceof Reply.Failed f) {
            throw GridWrites.refusal(f);
        }
    }

    /** The session if the caller may see it; 404 otherwise, so others' sessions are never revealed. */
    SessionImage visible(Principal caller, String sessionId) {
        SessionImage s = sessionId == null ? null : ctx.image().get().sessions().get(sessionId).orElse(null);
        if (s == null || !(caller.admin() || s.user().equals(caller.user()))) {
            throw notFound(sessionId);
        }
        return s;
    }

    private static ApiException notFound(String sessionId) {
        return new ApiException(404, "NOT_FOUND", "session '" + sessionId + "' does not exist or has ended;"
                + " GET /api/v1/sessions lists yours");
    }

    private static Reply await(CompletableFuture<Reply> write) {
        try {
            return write.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * A reconnect: asks the host to make the VM ready while recording the session connected, so it costs
     * one log round trip. If preparing fails, the caller ends the session either way.
     */
    private PrepareException prepareAndConnect(Reply.Reserved r) {
        CompletableFuture<Reply> connected = CompletableFuture.supplyAsync(() -> writes.submit(
                new ConnectSessionCommand(r.sessionId()), "your desktop is reserved but cannot be connected"), executor);
        long deadline = settings.prepareDeadline().toMillis();
        PrepareException problem = await(r, ctx.prepare().prepare(r.server(), r.vmId(), deadline), deadline);
        if (problem == null && await(connected) instanceof Reply.Failed f) {
            throw new ApiException(409, "SESSION_ENDED", "your session ended while it was being connected ("
                    + f.message() + "); connect again");
        }
        return problem;
    }

    /**
     * A fresh reservation: its host prepares the VM as it applies the reservation and records the session
     * connected itself; this waits for that answer in the log.
     */
    private PrepareException awaitHost(Reply.Reserved r) {
        long deadline = settings.prepareDeadline().toMillis();
        return await(r, ctx.prepare().awaitConnected(r.sessionId(), r.server(), r.vmId(), deadline), deadline);
    }

    private PrepareException await(Reply.Reserved r, CompletableFuture<Void> ready, long deadline) {
        try {
            ready.get(deadline + 1_000, TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PrepareException p) {
                return p;
            }
            return new PrepareException(PrepareException.HOST_UNAVAILABLE, true, "preparing VM '" + r.vmId()
                    + "' on server '" + r.server() + "' failed: " + e.getCause());
        } catch (TimeoutException e) {
            return new PrepareException(PrepareException.TIMEOUT, true, "server '" + r.server() + "' did not get VM '"
                    + r.vmId() + "' ready within " + deadline + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "INTERRUPTED", "the node is shutting down; connect again");
        }
    }

    /** What undoes a failed attempt: suspect a host at fault, and end the reservation. */
    private List<MeshCommand> release(Reply.Reserved r, PrepareException problem) {
        List<MeshCommand> out = new ArrayList<>(2);
        if (problem.hostAtFault()) {
            out.add(new SuspectServerCommand(r.server(), ctx.self(), problem.getMessage()));
        }
        out.add(new EndSessionCommand(r.sessionId(), "its desktop could not be prepared: " + problem.getMessage()));
        return out;
    }

    private static ApiException refused(Reply.Failed f, List<String> failures) {
        ApiException e = GridWrites.refusal(f);
        if (failures.isEmpty()) {
            return e;
        }
        return new ApiException(e.status(), e.code(), e.getMessage() + " (servers skipped because they failed: "
                + String.join("; ", failures) + ")");
    }
}
