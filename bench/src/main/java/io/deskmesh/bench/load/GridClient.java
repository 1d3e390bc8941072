package io.deskmesh.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deskmesh.model.codec.CommandCodec;
import io.deskmesh.model.command.MeshCommand;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The harness's HTTP side: asynchronous JSON requests to a node's public API and its token-guarded
 * internal endpoints, each answered as an {@link Answer} (never an exceptional future). HTTP/1.1 with
 * keep-alive, as most API clients talk. Thread-safe.
 */
final class GridClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "gridload-http");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(executor).build();
    private final String gridToken;

    /** @param gridToken the grid's join token, for {@code /internal/v1/...}; may be null when only the public API is used */
    GridClient(String gridToken) {
        this.gridToken = gridToken;
    }

    /** Sends a request; {@code body} null for none, {@code bearer} null for an anonymous call. */
    CompletableFuture<Answer> send(String method, String base, String path, String bearer, String body, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        long t0 = System.nanoTime();
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).handle((r, e) -> e != null
                ? new Answer(base, 0, "", 0, System.nanoTime() - t0, e)
                : new Answer(base, r.statusCode(), r.body(), retryAfter(r), System.nanoTime() - t0, null));
    }

    CompletableFuture<Answer> post(String base, String path, String bearer, String body) {
        return send("POST", base, path, bearer, body, TIMEOUT);
    }

    /** A blocking GET of a JSON document; throws when the answer is not 2xx. */
    JsonNode get(String base, String path, String bearer) {
        return expectOk("GET " + path, send("GET", base, path, bearer, null, Duration.ofSeconds(10)).join()).json();
    }

    /** A blocking request with a JSON body; throws when the answer is not 2xx. */
    JsonNode call(String method, String base, String path, String bearer, Object body) {
        return expectOk(method + " " + path, send(method, base, path, bearer, toJson(body), TIMEOUT).join()).json();
    }

    /** A POST to a token-guarded internal endpoint, with the grid token. */
    CompletableFuture<Answer> internal(String base, String path, String body) {
        return send("POST", base, path, gridToken, body, Duration.ofSeconds(60));
    }

    /** Submits raw commands through {@code POST /internal/v1/commands}, asynchronously. */
    CompletableFuture<Answer> commands(String base, List<? extends MeshCommand> commands, Duration timeout) {
        return commands(base, commandsBody(commands), timeout);
    }

    /** Submits a ready-made {@link #commandsBody} (the same body many times costs the harness nothing). */
    CompletableFuture<Answer> commands(String base, String body, Duration timeout) {
        return send("POST", base, "/internal/v1/commands", gridToken, body, timeout);
    }

    /** Submits raw commands and returns their replies ({@code {"k":"Done"|...}}); throws unless all were committed. */
    List<JsonNode> commandsNow(String base, List<? extends MeshCommand> commands) {
        Answer a = expectOk("POST /internal/v1/commands", commands(base, commands, Duration.ofSeconds(60)).join());
        List<JsonNode> out = new ArrayList<>();
        a.json().path("r").forEach(out::add);
        return out;
    }

    /** {@code {"commands":[{"t":..,"b":{..}}, ...]}}, the internal endpoint's body. */
    static String commandsBody(List<? extends MeshCommand> commands) {
        StringBuilder b = new StringBuilder(64 + commands.size() * 96).append("{\"commands\":[");
        for (int i = 0; i < commands.size(); i++) {
            b.append(i == 0 ? "" : ",").append(new String(CommandCodec.encodeCommand(commands.get(i)), StandardCharsets.UTF_8));
        }
        return b.append("]}").toString();
    }

    static String toJson(Object body) {
        try {
            return body instanceof String s ? s : JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + body + " as JSON: " + e.getMessage(), e);
        }
    }

    static Answer expectOk(String what, Answer a) {
        if (!a.ok()) {
            throw new IllegalStateException(what + " on " + a.node() + " failed: " + a);
        }
        return a;
    }

    private static long retryAfter(HttpResponse<?> r) {
        try {
            return r.headers().firstValue("Retry-After").map(Long::parseLong).orElse(0L);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    public void close() {
        http.shutdownNow();
        executor.shutdownNow();
    }
}
