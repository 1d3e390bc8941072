package io.deskmesh.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A small HTTP client for one node's API in tests: JSON in and out, any headers, raw bodies. Thread-safe. */
final class ApiClient {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final String url;

    ApiClient(String url) {
        this.url = url;
    }

    /** An answer: status, headers and body, with the body parsed when it is JSON. */
    record Answer(int status, String body, Map<String, List<String>> headers) {
        JsonNode json() {
            try {
                return body.isEmpty() ? MissingNode.getInstance() : JSON.readTree(body);
            } catch (Exception e) {
                throw new AssertionError("not JSON (status " + status + "): " + body, e);
            }
        }

        String errorCode() {
            return json().path("error").path("code").asText();
        }

        String errorMessage() {
            return json().path("error").path("message").asText();
        }

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().get(0)).orElse(null);
        }

        List<String> all(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(Map.Entry::getValue).orElse(List.of());
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** A request: method, path, body, headers; sent with {@link #send}. */
    final class Call {
        private final String method;
        private final String path;
        private HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.noBody();
        private final List<String> headers = new ArrayList<>();

        Call(String method, String path) {
            this.method = method;
            this.path = path;
        }

        Call token(String token) {
            return header("Authorization", "Bearer " + token);
        }

        Call header(String name, String value) {
            headers.add(name);
            headers.add(value);
            return this;
        }

        /** A JSON body: a string as is, anything else serialised. */
        Call json(Object value) {
            try {
                String text = value instanceof String s ? s : JSON.writeValueAsString(value);
                body = HttpRequest.BodyPublishers.ofString(text);
                return header("Content-Type", "application/json");
            } catch (Exception e) {
                throw new IllegalArgumentException(e);
            }
        }

        Call raw(byte[] bytes, String contentType) {
            body = HttpRequest.BodyPublishers.ofByteArray(bytes);
            return contentType == null ? this : header("Content-Type", contentType);
        }

        Answer send() {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
                    .method(method, body);
            for (int i = 0; i < headers.size(); i += 2) {
                b.header(headers.get(i), headers.get(i + 1));
            }
            try {
                HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
                return new Answer(r.statusCode(), r.body(), r.headers().map());
            } catch (Exception e) {
                throw new AssertionError(method + " " + path + " failed: " + e, e);
            }
        }
    }

    Call get(String path) {
        return new Call("GET", path);
    }

    Call post(String path) {
        return new Call("POST", path);
    }

    Call put(String path) {
        return new Call("PUT", path);
    }

    Call delete(String path) {
        return new Call("DELETE", path);
    }

    /** Logs in and returns the token; fails the test when login fails. */
    String login(String user, String password) {
        Answer a = post("/api/v1/auth/login").json(Map.of("username", user, "password", password)).send();
        if (a.status() != 200) {
            throw new AssertionError("login of " + user + " failed: " + a);
        }
        return a.json().path("token").asText();
    }
}
