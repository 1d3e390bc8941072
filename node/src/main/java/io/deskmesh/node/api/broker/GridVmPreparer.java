package io.deskmesh.node.api.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.model.codec.Json;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.node.api.ApiContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Has the server hosting a VM make it ready. A fresh reservation needs no request: its host acts on it
 * as it applies it from the log ({@link HostReservations}) and this node waits for the answer
 * ({@link HostConfirmations}). A reconnect asks directly: this node's own {@link HostPreparer} for its
 * own VMs, otherwise {@code POST /internal/v1/vms/prepare} on the host ({@link PrepareEndpoint}), with the grid
 * secret as Bearer token and the deadline as the request timeout. Failures arrive as
 * {@link PrepareException}s that say whether the host is to blame.
 *
 * <p><b>Batching.</b> Per host, at most {@link #MAX_IN_FLIGHT} requests are out at once; prepares
 * arriving meanwhile wait and go out together in the next request (up to {@link #MAX_BATCH}). At low
 * load each prepare goes out at once on its own; in a login storm one request carries many, so the
 * HTTP work per connect shrinks as the load grows. Thread-safe.
 */
public final class GridVmPreparer implements ApiContext.VmPreparer, AutoCloseable {
    static final int MAX_IN_FLIGHT = 4;
    static final int MAX_BATCH = PrepareEndpoint.MAX_VMS;

    private record Waiting(String vmId, long deadlineMs, CompletableFuture<Void> done) {
    }

    /** One host's queue; guarded by itself. */
    private static final class HostQueue {
        final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
        int inFlight;
    }

    private final HostPreparer local;
    private final Function<String, Optional<String>> addressOf;
    private final String gridSecret;
    private final HostConfirmations confirmations;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, HostQueue> queues = new ConcurrentHashMap<>();
    private final AtomicLong requestsSent = new AtomicLong();

    /**
     * @param local      this server's own preparer
     * @param image      this node's current image (where the hosts are)
     * @param gridSecret the grid's join token, which the hosts check
     */
    public GridVmPreparer(HostPreparer local, Supplier<ClusterImage> image, String gridSecret) {
        this(local, server -> image.get().servers().get(server).map(ServerImage::address), gridSecret,
                new HostConfirmations(image));
    }

    /**
     * @param addressOf     a server's HTTP address, if it is a member of the grid
     * @param confirmations where fresh reservations wait for their host's answer
     */
    GridVmPreparer(HostPreparer local, Function<String, Optional<String>> addressOf, String gridSecret,
                   HostConfirmations confirmations) {
        this.local = local;
        this.addressOf = addressOf;
        this.gridSecret = gridSecret;
        this.confirmations = confirmations;
    }

    /** Where fresh reservations wait for their host's answer: register it as an image listener of this node. */
    public HostConfirmations confirmations() {
        return confirmations;
    }

    @Override
    public CompletableFuture<Void> awaitConnected(String sessionId, String server, String vmId, long deadlineMs) {
        return confirmations.awaitConnected(sessionId, server, vmId, deadlineMs);
    }

    /** {@code deadlineMs} is how long the host may take, in milliseconds. */
    @Override
    public CompletableFuture<Void> prepare(String server, String vmId, long deadlineMs) {
        if (server.equals(local.self())) {
            return local.prepare(vmId, deadlineMs).thenApply(p -> null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        HostQueue q = queues.computeIfAbsent(server, s -> new HostQueue());
        synchronized (q) {
            q.waiting.add(new Waiting(vmId, deadlineMs, done));
        }
        pump(server, q);
        return done;
    }

    /** HTTP requests sent to hosts so far (each may carry several prepares). */
    public long requestsSent() {
        return requestsSent.get();
    }

    private void pump(String server, HostQueue q) {
        while (true) {
            List<Waiting> batch;
            synchronized (q) {
                if (q.inFlight >= MAX_IN_FLIGHT || q.waiting.isEmpty()) {
                    return;
                }
                batch = new ArrayList<>(Math.min(MAX_BATCH, q.waiting.size()));
                while (batch.size() < MAX_BATCH && !q.waiting.isEmpty()) {
                    batch.add(q.waiting.poll());
                }
                q.inFlight++;
            }
            send(server, batch).whenComplete((r, e) -> {
                synchronized (q) {
                    q.inFlight--;
                }
                pump(server, q);
            });
        }
    }

    /** Sends one request for {@code batch} and completes each of its futures; never fails itself. */
    private CompletableFuture<Void> send(String server, List<Waiting> batch) {
        String address = addressOf.apply(server).orElse(null);
        if (address == null) {
            batch.forEach(w -> w.done().completeExceptionally(new PrepareException(PrepareException.NOT_HOSTED, true,
                    "server '" + server + "' is not a member of the grid")));
            return CompletableFuture.completedFuture(null);
        }
        long deadlineMs = batch.stream().mapToLong(Waiting::deadlineMs).max().orElseThrow();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deadlineMs", deadlineMs);
        body.put("vms", batch.stream().map(Waiting::vmId).distinct().toList());
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create("http://" + address + PrepareEndpoint.PATH))
                    .timeout(Duration.ofMillis(deadlineMs))
                    .header("Authorization", "Bearer " + gridSecret)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body))).build();
        } catch (Exception e) {
            batch.forEach(w -> w.done().completeExceptionally(new PrepareException(PrepareException.HOST_UNAVAILABLE,
                    true, "server '" + server + "' (" + address + ") cannot be asked: " + e)));
            return CompletableFuture.completedFuture(null);
        }
        requestsSent.incrementAndGet();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
            try {
                settle(server, address, batch, response, error, deadlineMs);
            } catch (RuntimeException e) {
                batch.forEach(w -> w.done().completeExceptionally(e));
            }
            return null;
        });
    }

    private static void settle(String server, String address, List<Waiting> batch, HttpResponse<String> response,
                               Throwable error, long deadlineMs) {
        if (error != null) {
            Throwable cause = error.getCause() != null && error instanceof java.util.concurrent.CompletionException
                    ? error.getCause() : error;
            boolean timedOut = cause instanceof java.net.http.HttpTimeoutException;
            for (Waiting w : batch) {
                w.done().completeExceptionally(new PrepareException(timedOut ? PrepareException.TIMEOUT
                        : PrepareException.HOST_UNAVAILABLE, true, "server '" + server + "' (" + address + ") did not "
                        + (timedOut ? "get VM '" + w.vmId() + "' ready within " + deadlineMs + " ms"
                        : "answer: " + cause)));
            }
            return;
        }
        if (response.statusCode() != 200) {
            ErrorBody e = ErrorBody.of(response);
            for (Waiting w : batch) {
                w.done().completeExceptionally(new PrepareException(e.code(), true, "server '" + server
                        + "' refused to prepare VM '" + w.vmId() + "' (" + response.statusCode() + " " + e.code() + "): "
                        + e.message()));
            }
            return;
        }
        Map<String, JsonNode> results = new HashMap<>();
        try {
            for (JsonNode r : Json.MAPPER.readTree(response.body()).path("results")) {
                results.put(r.path("vmId").asText(), r);
            }
        } catch (Exception e) {
            // handled below: every VM then lacks its result
        }
        for (Waiting w : batch) {
            JsonNode r = results.get(w.vmId());
            if (r == null) {
                w.done().completeExceptionally(new PrepareException(PrepareException.HOST_UNAVAILABLE, true, "server '"
                        + server + "' answered without a result for VM '" + w.vmId() + "'"));
            } else if (r.path("ok").asBoolean(false)) {
                w.done().complete(null);
            } else {
                String code = r.path("code").asText("HTTP_" + r.path("status").asInt());
                boolean vmOnly = PrepareException.VM_FAILED.equals(code) || PrepareException.NOT_READY.equals(code);
                w.done().completeExceptionally(new PrepareException(code, !vmOnly, "server '" + server
                        + "' refused to prepare VM '" + w.vmId() + "' (" + r.path("status").asInt() + " " + code + "): "
                        + r.path("message").asText()));
            }
        }
    }

    /** A whole-request refusal's {@code {"error":{"code","message"}}}, or the raw body when it is not that. */
    private record ErrorBody(String code, String message) {
        static ErrorBody of(HttpResponse<String> response) {
            try {
                JsonNode error = Json.MAPPER.readTree(response.body()).path("error");
                if (error.hasNonNull("code")) {
                    return new ErrorBody(error.get("code").asText(), error.path("message").asText());
                }
            } catch (Exception e) {
                // not JSON: keep the raw body
            }
            return new ErrorBody("HTTP_" + response.statusCode(), response.body());
        }
    }

    @Override
    public void close() {
        http.shutdownNow();
    }
}
