package io.deskmesh.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for a node's REST API in tests: answers each {@code METHOD /path?query} with a canned
 * status and body, and records every request it gets (method, path with query, Authorization header,
 * body). A request nothing was stubbed for gets a 599 naming it, so a test sending the wrong request
 * fails on its output rather than hanging. Thread-safe.
 */
final class StubApi implements AutoCloseable {

    /** One request as the stub received it. */
    record Request(String method, String path, String authorization, String contentType, String body,
                   Map<String, List<String>> headers) {
        /** {@code "POST /api/v1/templates"}. */
        String line() {
            return method + " " + path;
        }
    }

    private record Answer(int status, String body) {
    }

    private final HttpServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<Request> requests = new ArrayList<>();

    StubApi() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The stub's address, e.g. {@code http://127.0.0.1:40123}. */
    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers {@code method path} (path with its query, if any) with {@code status} and JSON {@code body}. */
    StubApi on(String method, String path, int status, String body) {
        answers.put(method + " " + path, new Answer(status, body));
        return this;
    }

    /** Answers with 200 and {@code body}. */
    StubApi on(String method, String path, String body) {
        return on(method, path, 200, body);
    }

    /** Answers with the contract's error shape. */
    StubApi error(String method, String path, int status, String code, String message) {
        return on(method, path, status, "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}}");
    }

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The only request received; fails when there were none or several. */
    synchronized Request only() {
        if (requests.size() != 1) {
            throw new AssertionError("expected exactly one request, got " + requests.stream().map(Request::line).toList());
        }
        return requests.get(0);
    }

    /** {@code "GET /api/v1/x"} for each request, in order. */
    synchronized List<String> lines() {
        return requests.stream().map(Request::line).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = ex.getRequestURI().getRawPath()
                + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery());
        Request r = new Request(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Authorization"),
                ex.getRequestHeaders().getFirst("Content-Type"), body, Map.copyOf(ex.getRequestHeaders()));
        synchronized (this) {
            requests.add(r);
        }
        Answer a = answers.getOrDefault(r.line(),
                new Answer(599, "{\"error\":{\"code\":\"NO_STUB\",\"message\":\"no stub for " + r.line() + "\"}}"));
        byte[] bytes = a.body().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(a.status(), bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
