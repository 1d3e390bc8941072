package io.deskmesh.node.api.broker;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.SessionState;
import io.deskmesh.model.record.VmState;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The front door's half of a fresh connect: waits until the log shows the host's answer to a
 * reservation ({@link HostReservations}) — the session connected (the VM is ready), or ended before it
 * connected (the host could not prepare it) — or until the deadline passes, which blames the host.
 *
 * <p>Register it as an image listener. Each image costs O(w log n) for the w connects waiting on this
 * node. An image older than the one a wait began with is not taken as proof that the session ended:
 * images may reach listeners late. Thread-safe.
 */
public final class HostConfirmations implements Consumer<ClusterImage> {
    private record Waiter(String sessionId, String server, String vmId, long sinceIndex, CompletableFuture<Void> done) {
    }

    private final Supplier<ClusterImage> image;
    private final Map<String, Waiter> waiting = new ConcurrentHashMap<>();

    /** @param image this node's current image, which already holds a reservation once its write returned */
    public HostConfirmations(Supplier<ClusterImage> image) {
        this.image = image;
    }

    /**
     * Completes when the host has made the reserved VM ready and recorded the session connected; fails
     * with a {@link PrepareException}: {@code TIMEOUT} (the host's fault) when no answer comes within
     * {@code deadlineMs}, {@code VM_FAILED} when the host ended the session instead.
     */
    public CompletableFuture<Void> awaitConnected(String sessionId, String server, String vmId, long deadlineMs) {
        ClusterImage now = image.get();
        Waiter w = new Waiter(sessionId, server, vmId, now.index(), new CompletableFuture<>());
        waiting.put(sessionId, w);
        w.done.whenComplete((v, e) -> waiting.remove(sessionId, w));
        check(w, now);
        return w.done.orTimeout(deadlineMs, TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof java.util.concurrent.TimeoutException) {
                return CompletableFuture.failedFuture(new PrepareException(PrepareException.TIMEOUT, true, "server '"
                        + server + "' did not get VM '" + vmId + "' ready within " + deadlineMs + " ms"));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    @Override
    public void accept(ClusterImage latest) {
        for (Waiter w : waiting.values()) {
            check(w, latest);
        }
    }

    /** Connects waiting for their host's answer on this node. */
    int waiting() {
        return waiting.size();
    }

    private static void check(Waiter w, ClusterImage img) {
        SessionImage s = img.sessions().get(w.sessionId).orElse(null);
        if (s != null) {
            if (s.state() != SessionState.RESERVED) {
                w.done.complete(null);
            }
            return;
        }
        if (img.index() < w.sinceIndex) {
            return;
        }
        VmImage vm = img.vms().get(w.vmId).orElse(null);
        String why = vm != null && vm.state() == VmState.UNHEALTHY
                ? "VM '" + w.vmId + "' on server '" + w.server + "' failed to start and was marked unhealthy"
                : "server '" + w.server + "' could not get VM '" + w.vmId + "' ready (the audit trail and that"
                + " server's log say why)";
        w.done.completeExceptionally(new PrepareException(PrepareException.VM_FAILED, false, why));
    }
}
