package io.deskmesh.node.api.broker;

import io.deskmesh.model.command.ConnectSessionCommand;
import io.deskmesh.model.command.EndSessionCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.SessionImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The host's half of a fresh connect, driven by the log. Every reservation of one of this server's VMs
 * that this node applies, it prepares at once through the {@link HostPreparer} (powers the VM on when
 * it is off) and answers in the log: the session {@code CONNECTED} when the VM is ready, or ended with
 * the reason when it cannot be. The front door that reserved waits for that answer
 * ({@link HostConfirmations}) and suspects this server if it does not come in time, so the seed's
 * "reserve at the target server, which responds" costs no request between servers: the reservation is
 * the request, and the host's entry is the response. Both ride the grid's batched log writes.
 *
 * <p>Register it as an image listener. Each image costs O(k log n) for the k reservations this server
 * has open; each reservation is acted on once (a restart forgets that, and may answer one again: the
 * log refuses a second answer). A reservation older than {@code stale} is left to the session janitor:
 * its front door gave up on it long ago. Thread-safe.
 */
public final class HostReservations implements Consumer<ClusterImage> {
    private static final Logger LOG = LoggerFactory.getLogger(HostReservations.class);

    /** Makes one of this server's VMs ready within a deadline ({@link HostPreparer#prepare}). */
    @FunctionalInterface
    public interface Prepare {
        CompletableFuture<?> prepare(String vmId, long deadlineMs);
    }

    private final String self;
    private final Prepare host;
    private final Function<List<MeshCommand>, CompletableFuture<List<Reply>>> submit;
    private final LongSupplier clock;
    private final long deadlineMs;
    private final long staleMs;
    /** Reservations being prepared or answered, until the log shows them answered. */
    private final Set<String> handling = ConcurrentHashMap.newKeySet();

    /**
     * @param self     this server's name
     * @param host     prepares this server's VMs (its {@link HostPreparer})
     * @param submit   this node's write path
     * @param deadline how long preparing one VM may take
     * @param stale    reservations older than this are not acted on (see the class comment)
     */
    public HostReservations(String self, Prepare host,
                            Function<List<MeshCommand>, CompletableFuture<List<Reply>>> submit,
                            LongSupplier clock, Duration deadline, Duration stale) {
        this.self = self;
        this.host = host;
        this.submit = submit;
        this.clock = clock;
        this.deadlineMs = deadline.toMillis();
        this.staleMs = stale.toMillis();
    }

    @Override
    public void accept(ClusterImage image) {
        Set<String> reserved = image.sessions().reservedOn(self);
        handling.removeIf(id -> !reserved.contains(id));
        long now = clock.getAsLong();
        for (String id : reserved) {
            if (!handling.add(id)) {
                continue;
            }
            SessionImage s = image.sessions().get(id).orElseThrow();
            if (now - s.reservedAt() > staleMs) {
                LOG.debug("reservation {} of VM {} is {} ms old; leaving it to the session janitor", id, s.vmId(),
                        now - s.reservedAt());
                continue;
            }
            host.prepare(s.vmId(), deadlineMs).whenComplete((prepared, error) -> answer(s, error));
        }
    }

    /** Reservations this node is preparing or has answered and not yet seen answered in the log. */
    int handling() {
        return handling.size();
    }

    private void answer(SessionImage s, Throwable error) {
        MeshCommand answer;
        if (error == null) {
            answer = new ConnectSessionCommand(s.id());
        } else {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            String why = cause instanceof PrepareException p ? p.getMessage() : cause.toString();
            LOG.warn("server {} could not prepare VM {} for session {} of {}: {}", self, s.vmId(), s.id(),
                    s.user(), why);
            answer = new EndSessionCommand(s.id(), "its desktop could not be prepared: " + why);
        }
        try {
            submit.apply(List.of(answer)).whenComplete((replies, e) -> {
                if (e != null) {
                    // The front door times out and suspects this server, then tries another: nothing is lost.
                    LOG.info("answering reservation {} on {} failed: {}", s.id(), self, e.toString());
                    handling.remove(s.id());
                }
            });
        } catch (RuntimeException e) {
            LOG.info("answering reservation {} on {} failed: {}", s.id(), self, e.toString());
            handling.remove(s.id());
        }
    }
}
