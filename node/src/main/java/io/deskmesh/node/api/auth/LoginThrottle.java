package io.deskmesh.node.api.auth;

import io.deskmesh.node.api.ApiException;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits failed logins per user name and per client address on this node, with a token bucket for
 * each: a burst of failures, then one more per refill period.
 * <ul>
 *   <li>The user's bucket pays for every attempt up front, before the password is checked (so
 *       concurrent guesses at one account cannot overdraw it); a successful or never-run attempt
 *       gets its token back ({@link #refund}), so only failures count.</li>
 *   <li>The address's bucket is only looked at up front and pays when an attempt fails
 *       ({@link #failed}): many people behind one address (an office's NAT, a gateway) logging in
 *       at once with correct passwords are never refused for one another. Guesses in flight
 *       together may overdraw it by at most their number (bounded by the hashing queue), and the
 *       debt is refilled like any other.</li>
 * </ul>
 * In memory, per node: a guesser spreading over N nodes gets N budgets, still far too few to matter
 * against Argon2id and sound passwords. Keys whose buckets are full again carry nothing and are
 * swept when the map grows past its bound. Thread-safe.
 */
public final class LoginThrottle {
    /** What an attempt took; give it back with {@link #refund}. */
    public record Ticket(String userKey, String addressKey) {
    }

    /** Thrown (as a 429) when a budget is empty; {@code report} is true at most once per key per burst period. */
    public static final class Throttled extends ApiException {
        private static final long serialVersionUID = 1L;
        private final boolean report;
        private final String key;

        Throttled(String message, long retryAfterSeconds, boolean report, String key) {
            super(429, "RATE_LIMITED", message, retryAfterSeconds);
            this.report = report;
            this.key = key;
        }

        /** Whether this refusal should be written to the audit trail (the first for its key in a while). */
        public boolean report() {
            return report;
        }

        /** {@code user:<name>} or {@code address:<ip>}. */
        public String key() {
            return key;
        }
    }

    private record Limit(int burst, long refillMs) {
    }

    private record Bucket(double tokens, long at, long reportedAt) {
        Bucket refilled(Limit limit, long now) {
            double t = Math.min(limit.burst, tokens + Math.max(0, now - at) / (double) limit.refillMs);
            return new Bucket(t, Math.max(at, now), reportedAt);
        }
    }

    private final Limit user;
    private final Limit address;
    private final int maxKeys;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    public LoginThrottle(int userBurst, Duration userRefill, int addressBurst, Duration addressRefill, int maxKeys) {
        this.user = new Limit(userBurst, userRefill.toMillis());
        this.address = new Limit(addressBurst, addressRefill.toMillis());
        this.maxKeys = maxKeys;
    }

    /** Takes one attempt from the user's and the address's budgets, or throws {@link Throttled} taking none. */
    public Ticket acquire(String userName, String clientAddress, long now) {
        if (buckets.size() > maxKeys) {
            sweep(now);
            if (buckets.size() > maxKeys) {
                throw new Throttled("too many login attempts on this node right now; try again shortly", 5, false, "");
            }
        }
        Ticket t = new Ticket("user:" + userName, "address:" + clientAddress);
        Throttled byUser = take(t.userKey(), user, now, "user '" + userName + "'");
        if (byUser != null) {
            throw byUser;
        }
        Throttled byAddress = check(t.addressKey(), address, now, "your address");
        if (byAddress != null) {
            give(t.userKey(), user, now);
            throw byAddress;
        }
        return t;
    }

    /** Gives an attempt back: it succeeded, or it never reached the password check. */
    public void refund(Ticket t, long now) {
        give(t.userKey(), user, now);
    }

    /** Charges a failed attempt to its address (the user's budget paid up front). */
    public void failed(Ticket t, long now) {
        buckets.compute(t.addressKey(), (k, b) -> {
            Bucket cur = (b == null ? new Bucket(address.burst, now, Long.MIN_VALUE) : b).refilled(address, now);
            return new Bucket(Math.max(-address.burst, cur.tokens() - 1), cur.at(), cur.reportedAt());
        });
    }

    /** Keys tracked now (for tests and metrics). */
    public int size() {
        return buckets.size();
    }

    private Throttled take(String key, Limit limit, long now, String who) {
        return consult(key, limit, now, who, true);
    }

    private Throttled check(String key, Limit limit, long now, String who) {
        return consult(key, limit, now, who, false);
    }

    /** Refuses when the bucket has no whole token; else takes one if {@code take}. */
    private Throttled consult(String key, Limit limit, long now, String who, boolean take) {
        Throttled[] refused = new Throttled[1];
        buckets.compute(key, (k, b) -> {
            Bucket cur = (b == null ? new Bucket(limit.burst, now, Long.MIN_VALUE) : b).refilled(limit, now);
            if (cur.tokens() >= 1) {
                return take ? new Bucket(cur.tokens() - 1, cur.at(), cur.reportedAt()) : cur;
            }
            long waitMs = (long) Math.ceil((1 - cur.tokens()) * limit.refillMs);
            long seconds = Math.max(1, (waitMs + 999) / 1000);
            boolean report = cur.reportedAt() == Long.MIN_VALUE || now - cur.reportedAt() >= limit.burst * limit.refillMs;
            refused[0] = new Throttled("too many failed logins for " + who + "; try again in " + seconds + " s", seconds,
                    report, key);
            return report ? new Bucket(cur.tokens(), cur.at(), now) : cur;
        });
        return refused[0];
    }

    private void give(String key, Limit limit, long now) {
        buckets.computeIfPresent(key, (k, b) -> {
            Bucket cur = b.refilled(limit, now);
            return new Bucket(Math.min(limit.burst, cur.tokens() + 1), cur.at(), cur.reportedAt());
        });
    }

    private void sweep(long now) {
        buckets.entrySet().removeIf(e -> {
            Limit limit = e.getKey().startsWith("user:") ? user : address;
            return e.getValue().refilled(limit, now).tokens() >= limit.burst;
        });
    }
}
