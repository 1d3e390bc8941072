package io.deskmesh.node.api.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.model.codec.Json;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.node.api.ApiContext;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Asks the server hosting a VM to make it ready: this node's own {@link HostPreparer} for its own VMs,
 * otherwise {@code POST /internal/v1/vms/{vmId}/prepare} on the host, with the grid secret as Bearer
 * token and the deadline as the request timeout. Failures arrive as {@link PrepareException}s that say
 * whether the host is to blame. Thread-safe.
 */
public final class GridVmPreparer implements ApiContext.VmPreparer, AutoCloseable {
    private final HostPreparer local;
    private final Supplier<ClusterImage> image;
    private final String gridSecret;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * @param local      this server's own preparer
     * @param image      this node's current image (where the hosts are)
     * @param gridSecret the grid's join token, which the hosts check
     */
    public GridVmPreparer(HostPreparer local, Supplier<ClusterImage> image, String gridSecret) {
        this.local = local;
        this.image = image;
        this.gridSecret = gridSecret;
    }

    /** {@code deadlineMs} is how long the host may take, in milliseconds. */
    @Override
    public CompletableFuture<Void> prepare(String server, String vmId, long deadlineMs) {
        if (server.equals(local.self())) {
            return local.prepare(vmId, deadlineMs).thenApply(p -> null);
        }
        ServerImage host = image.get().servers().get(server).orElse(null);
        if (host == null) {
            return CompletableFuture.failedFuture(new PrepareException(PrepareException.NOT_HOSTED, true,
                    "server '" + server + "' is not a member of the grid"));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host.address() + "/internal/v1/vms/"
                        + URLEncoder.encode(vmId, StandardCharsets.UTF_8) + "/prepare?deadlineMs=" + deadlineMs))
                .timeout(Duration.ofMillis(deadlineMs))
                .header("Authorization", "Bearer " + gridSecret)
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
            if (error != null) {
                Throwable cause = error.getCause() != null && error instanceof java.util.concurrent.CompletionException
                        ? error.getCause() : error;
                boolean timedOut = cause instanceof java.net.http.HttpTimeoutException;
                throw new PrepareException(timedOut ? PrepareException.TIMEOUT : PrepareException.HOST_UNAVAILABLE, true,
                        "server '" + server + "' (" + host.address() + ") did not " + (timedOut
                        ? "get VM '" + vmId + "' ready within " + deadlineMs + " ms" : "answer: " + cause));
            }
            if (response.statusCode() == 200) {
                return null;
            }
            throw refusal(server, vmId, response);
        });
    }

    private static PrepareException refusal(String server, String vmId, HttpResponse<String> response) {
        String code = "HTTP_" + response.statusCode();
        String message = response.body();
        try {
            JsonNode error = Json.MAPPER.readTree(response.body()).path("error");
            if (error.hasNonNull("code")) {
                code = error.get("code").asText();
                message = error.path("message").asText();
            }
        } catch (Exception e) {
            // not JSON: keep the raw body
        }
        boolean vmOnly = PrepareException.VM_FAILED.equals(code) || PrepareException.NOT_READY.equals(code);
        return new PrepareException(code, !vmOnly, "server '" + server + "' refused to prepare VM '" + vmId + "' ("
                + response.statusCode() + " " + code + "): " + message);
    }

    @Override
    public void close() {
        http.shutdownNow();
    }
}
