package io.deskmesh.bench.load;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

/**
 * What one HTTP request got: the status and body, or the exception that stood for an answer, and how
 * long it took from send to the whole body. Immutable.
 *
 * @param node              the base URL the request went to
 * @param status            HTTP status, or 0 when no answer came (see {@code error})
 * @param body              the body as text ({@code ""} without an answer)
 * @param retryAfterSeconds the {@code Retry-After} header, 0 when absent
 * @param nanos             send to last byte
 * @param error             why no answer came (timeout, refused connection), or null
 */
record Answer(String node, int status, String body, long retryAfterSeconds, long nanos, Throwable error) {

    boolean ok() {
        return error == null && status >= 200 && status < 300;
    }

    /** The body as JSON; an empty object when it is not JSON. */
    JsonNode json() {
        try {
            return body.isEmpty() ? GridClient.JSON.createObjectNode() : GridClient.JSON.readTree(body);
        } catch (IOException e) {
            return GridClient.JSON.createObjectNode();
        }
    }

    /**
     * A short reason for the report: {@code "503 NO_DESKTOP"} from the error body's code,
     * {@code "200"} on success, or the exception's class name without an answer.
     */
    String reason() {
        if (error != null) {
            Throwable t = error;
            while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException)
                    && t.getCause() != null) {
                t = t.getCause();
            }
            return t.getClass().getSimpleName();
        }
        if (ok()) {
            return Integer.toString(status);
        }
        String code = json().path("error").path("code").asText("");
        return code.isEmpty() ? Integer.toString(status) : status + " " + code;
    }

    double millis() {
        return nanos / 1e6;
    }

    @Override
    public String toString() {
        return error != null ? node + ": " + error : node + ": " + status + " " + (body.length() > 300 ? body.substring(0, 300) + "..." : body);
    }
}
