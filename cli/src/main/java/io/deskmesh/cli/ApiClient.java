package io.deskmesh.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/**
 * A client of one node's REST API v1: sends JSON, returns the JSON answer, and turns every failure
 * into a {@link CliFailure} whose message the user can act on ({@link ApiError} for an error status,
 * a "cannot reach" failure when no node answers). Immutable and thread-safe.
 */
public final class ApiClient {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Long enough for a connect, which may wait for a server to start a VM. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final String token;
    private final HttpClient http;

    /**
     * @param base  the node's address, e.g. {@code http://127.0.0.1:8080} (no path)
     * @param token the API token, or null to send none
     */
    public ApiClient(URI base, String token) {
        this.base = base;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    /** The node's address, as given. */
    public URI base() {
        return base;
    }

    public JsonNode get(String path) {
        return send("GET", path, null);
    }

    public JsonNode post(String path, JsonNode body) {
        return send("POST", path, body);
    }

    public JsonNode put(String path, JsonNode body) {
        return send("PUT", path, body);
    }

    public JsonNode delete(String path) {
        return send("DELETE", path, null);
    }

    /** One path segment (a name or an id), percent-encoded. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code ?k=v&...} for the given filters, values percent-encoded; empty when there are none. */
    public static String query(Map<String, ?> params) {
        StringJoiner q = new StringJoiner("&", "?", "");
        params.forEach((k, v) -> q.add(k + "=" + URLEncoder.encode(String.valueOf(v), StandardCharsets.UTF_8)));
        return params.isEmpty() ? "" : q.toString();
    }

    /**
     * Sends one request and returns the answer's JSON ({@link MissingNode} for an empty body).
     *
     * @param path the path with its query, e.g. {@code /api/v1/vms?state=running}
     * @param body the JSON body, or null for none
     */
    public JsonNode send(String method, String path, JsonNode body) {
        if (body != null) {
            return send(method, path, HttpRequest.BodyPublishers.ofString(Json.compact(body), StandardCharsets.UTF_8),
                    Map.of("Content-Type", "application/json"), REQUEST_TIMEOUT, false);
        }
        return send(method, path, HttpRequest.BodyPublishers.noBody(), Map.of(), REQUEST_TIMEOUT, false);
    }

    /**
     * Sends a file as the body (streamed, with its size as Content-Length) and returns the JSON answer.
     * It asks with {@code Expect: 100-continue}, so a node that refuses the request from its headers
     * answers before a byte of the file is sent.
     *
     * @param headers besides Authorization, e.g. the Content-Type
     * @param timeout until the answer arrives, the upload included
     */
    public JsonNode upload(String path, java.nio.file.Path file, Map<String, String> headers, Duration timeout) {
        try {
            return send("POST", path, HttpRequest.BodyPublishers.ofFile(file), headers, timeout, true);
        } catch (java.io.FileNotFoundException e) {
            throw new CliFailure("cannot read " + file + ": " + e.getMessage());
        }
    }

    private JsonNode send(String method, String path, HttpRequest.BodyPublisher body, Map<String, String> headers,
                          Duration timeout, boolean expectContinue) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .expectContinue(expectContinue)
                .header("Accept", "application/json")
                .header("User-Agent", "deskmesh-cli/" + DeskMeshVersion.version());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        request.method(method, body);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw unreachable("no answer to the connection within " + CONNECT_TIMEOUT.toSeconds() + " s");
        } catch (HttpTimeoutException e) {
            throw new CliFailure(base + " did not answer " + method + " " + path + " within "
                    + timeout.toSeconds() + " s; try again, or another node with --node");
        } catch (IOException | UnresolvedAddressException e) {
            throw unreachable(reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure("interrupted while waiting for " + base);
        }
        return answer(method, path, response.statusCode(), response.body());
    }

    private JsonNode answer(String method, String path, int status, String body) {
        JsonNode json;
        try {
            json = body == null || body.isBlank() ? MissingNode.getInstance() : Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            json = null;
        }
        if (status >= 200 && status < 300) {
            if (json == null) {
                throw new CliFailure(base + " answered " + method + " " + path + " with something other than JSON: "
                        + snippet(body) + "; is that a DeskMesh node?");
            }
            return json;
        }
        JsonNode error = json == null ? MissingNode.getInstance() : json.path("error");
        String message = error.path("message").asText("");
        if (message.isEmpty()) {
            message = base + " answered " + method + " " + path + " with HTTP " + status
                    + (body == null || body.isBlank() ? "" : ": " + snippet(body));
        }
        throw new ApiError(status, error.path("code").asText(""), message);
    }

    private CliFailure unreachable(String reason) {
        return new CliFailure("cannot reach " + base + ": " + reason
                + "; is a node running there? (deskmesh node / deskmesh demo)");
    }

    /** The most telling message in the cause chain: HttpClient's own exceptions often carry none. */
    private static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException) {
                return "unknown host";
            }
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
    }

    private static String snippet(String body) {
        String s = body.strip().replaceAll("\\s+", " ");
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
