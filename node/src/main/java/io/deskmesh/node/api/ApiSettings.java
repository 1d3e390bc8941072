package io.deskmesh.node.api;

import io.deskmesh.node.auth.PasswordHasher;

import java.time.Duration;

/**
 * How the API guards itself: token lifetime, the password-hashing pool, failed-login limits and the
 * largest request body. {@link #defaults()} is what a node runs with; tests and benchmarks may pass
 * others to {@link Api}. Immutable.
 *
 * @param tokenTtl           how long an API token (and the browser cookie carrying it) is valid
 * @param hasher             hashes and verifies passwords (Argon2id; lighter parameters only in tests)
 * @param hashThreads        threads that hash and verify passwords; kept below the core count so a
 *                           password storm leaves CPU to brokering and Raft
 * @param hashQueue          hashing requests that may wait; more are refused with 503 'busy'
 * @param userFailures       failed logins one user name may have in a burst ...
 * @param userRefill         ... and one more per this period
 * @param addressFailures    failed logins one client address may have in a burst ...
 * @param addressRefill      ... and one more per this period
 * @param maxBodyBytes       larger request bodies are refused with 413
 * @param trustForwardedProto whether {@code X-Forwarded-Proto} from a proxy in front says how the browser
 *                           reached the node (see {@link RequestScheme})
 */
public record ApiSettings(Duration tokenTtl, PasswordHasher hasher, int hashThreads, int hashQueue, int userFailures,
                          Duration userRefill, int addressFailures, Duration addressRefill, int maxBodyBytes,
                          boolean trustForwardedProto) {
    public ApiSettings {
        if (tokenTtl.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("token lifetime must be at least a minute, was " + tokenTtl);
        }
        if (hashThreads < 1 || hashQueue < 1) {
            throw new IllegalArgumentException("hashing needs at least one thread and one queue slot");
        }
        if (userFailures < 1 || addressFailures < 1 || userRefill.isNegative() || userRefill.isZero()
                || addressRefill.isNegative() || addressRefill.isZero()) {
            throw new IllegalArgumentException("login limits need a burst >= 1 and a positive refill period");
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("the body limit must be at least 1 KiB, was " + maxBodyBytes);
        }
    }

    /**
     * 12-hour tokens; production Argon2id; half the cores (at least one) hash, 16 requests wait per
     * thread; 5 failed logins per user name then one per 12 s; 20 per address then one per 3 s;
     * bodies up to 1 MB; no proxy's {@code X-Forwarded-Proto} trusted.
     */
    public static ApiSettings defaults() {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        return new ApiSettings(Duration.ofHours(12), new PasswordHasher(), threads, 16 * threads, 5,
                Duration.ofSeconds(12), 20, Duration.ofSeconds(3), 1_000_000, false);
    }

    public ApiSettings withHasher(PasswordHasher h) {
        return new ApiSettings(tokenTtl, h, hashThreads, hashQueue, userFailures, userRefill, addressFailures,
                addressRefill, maxBodyBytes, trustForwardedProto);
    }

    public ApiSettings withHashing(int threads, int queue) {
        return new ApiSettings(tokenTtl, hasher, threads, queue, userFailures, userRefill, addressFailures,
                addressRefill, maxBodyBytes, trustForwardedProto);
    }

    public ApiSettings withLoginLimits(int perUser, Duration userEvery, int perAddress, Duration addressEvery) {
        return new ApiSettings(tokenTtl, hasher, hashThreads, hashQueue, perUser, userEvery, perAddress, addressEvery,
                maxBodyBytes, trustForwardedProto);
    }

    public ApiSettings withTrustForwardedProto(boolean trust) {
        return new ApiSettings(tokenTtl, hasher, hashThreads, hashQueue, userFailures, userRefill, addressFailures,
                addressRefill, maxBodyBytes, trust);
    }

    /** How this node tells whether a browser reached it over https. */
    public RequestScheme scheme() {
        return new RequestScheme(trustForwardedProto);
    }
}
