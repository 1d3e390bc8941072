package io.deskmesh.node.api;

/**
 * An API error: the HTTP status and the JSON body {@code {"error":{"code","message"}}} it becomes,
 * plus a {@code Retry-After} (seconds) for 429 and 503 answers that know when to come back. The
 * message says what was wrong and what to do. Immutable.
 */
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String code;
    private final long retryAfterSeconds;

    public ApiException(int status, String code, String message) {
        this(status, code, message, 0);
    }

    /** With a {@code Retry-After} header of {@code retryAfterSeconds} (none when 0). */
    public ApiException(int status, String code, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Seconds a client should wait before retrying, 0 when the answer carries no {@code Retry-After}. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static ApiException invalid(String message) {
        return new ApiException(400, "INVALID", message);
    }

    public static ApiException notFound(String message) {
        return new ApiException(404, "NOT_FOUND", message);
    }

    public static ApiException unauthenticated(String message) {
        return new ApiException(401, "UNAUTHENTICATED", message);
    }
}
