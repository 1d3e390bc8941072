package io.deskmesh.images;

import java.time.Duration;
import java.util.Objects;

/**
 * How an {@link ImageFetcher} talks to peers. Immutable.
 *
 * @param connectTimeout  to open a connection
 * @param responseTimeout from sending a request to receiving the response headers
 * @param idleTimeout     longest wait for the next body bytes before the attempt is abandoned
 * @param maxAttempts     attempts per fetch, counting the first (each resumes the previous one)
 * @param initialBackoff  pause after the first failed attempt; doubled after each further one
 * @param maxBackoff      longest pause between attempts
 * @param bearerToken     grid token sent as {@code Authorization: Bearer ...}, or {@code null}
 */
public record FetchConfig(Duration connectTimeout, Duration responseTimeout, Duration idleTimeout,
                          int maxAttempts, Duration initialBackoff, Duration maxBackoff, String bearerToken) {

    public FetchConfig {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(responseTimeout, "responseTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        if (bearerToken != null && (bearerToken.isBlank() || bearerToken.chars().anyMatch(c -> c < 0x21 || c > 0x7e))) {
            throw new IllegalArgumentException("the grid token must be non-empty printable ASCII without spaces");
        }
    }

    /** 5 s connect, 30 s response and idle, 5 attempts, backoff 0.5 s doubling to 30 s, no token. */
    public static FetchConfig defaults() {
        return new FetchConfig(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(30), 5,
                Duration.ofMillis(500), Duration.ofSeconds(30), null);
    }

    public FetchConfig withBearerToken(String token) {
        return new FetchConfig(connectTimeout, responseTimeout, idleTimeout, maxAttempts, initialBackoff,
                maxBackoff, token);
    }

    public FetchConfig withAttempts(int attempts, Duration initial, Duration max) {
        return new FetchConfig(connectTimeout, responseTimeout, idleTimeout, attempts, initial, max, bearerToken);
    }

    public FetchConfig withTimeouts(Duration connect, Duration response, Duration idle) {
        return new FetchConfig(connect, response, idle, maxAttempts, initialBackoff, maxBackoff, bearerToken);
    }

    /** Pause before attempt {@code attempt + 1}, without jitter. */
    Duration backoff(int attempt) {
        long ms = initialBackoff.toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "FetchConfig[connect=" + connectTimeout + ", response=" + responseTimeout + ", idle=" + idleTimeout
                + ", attempts=" + maxAttempts + ", backoff=" + initialBackoff + ".." + maxBackoff
                + ", token=" + (bearerToken == null ? "none" : "set") + "]";
    }
}
