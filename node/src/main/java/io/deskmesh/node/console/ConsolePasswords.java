package io.deskmesh.node.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One-time VNC passwords for native consoles: the tickets of this node's VNC entry
 * ({@link VncEntry}). A native viewer cannot present a ticket before the proxy speaks (in RFB the
 * server speaks first), so the ticket is the password of a VNC Authentication: the entry sends a
 * challenge and looks for the outstanding password whose DES answer matches the viewer's.
 *
 * <p>Like {@link ConsoleTickets} a password is bound to a session and its user, good once, only on
 * the node that issued it (it lives in this node's memory only) and for a short time. Unlike them
 * it cannot be signed, so it is state: a node that restarts forgets its passwords, and the user
 * downloads a new file. Eight characters from 57 (46 bits) are what VNC Authentication carries;
 * guessing is bounded by the entry's limit on failures per address. A user has at most
 * {@value #PER_USER} outstanding: issuing another retires their oldest, so no one can make the
 * search slow. Expired passwords are kept a few minutes so a late viewer hears "expired" rather
 * than "wrong". Thread-safe.
 */
final class ConsolePasswords {
    static final int PER_USER = 8;
    /** How long an expired password is still recognised (and refused as expired). */
    static final long EXPIRED_KEPT_MS = 5 * 60_000;
    private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789".toCharArray();

    /** What a password admits: the session's console, for its user, until {@code expiresAt} (epoch ms). */
    record Grant(String sessionId, String user, long issuedAt, long expiresAt, byte[] key) {
    }

    /** How a viewer's answer to a challenge fared. */
    sealed interface Match {
        /** It matched an unexpired password, which is now used up. */
        record Admitted(Grant grant) implements Match {
        }

        /** It matched a password that expired (now forgotten). */
        record Expired(Grant grant) implements Match {
        }

        /** It matched no password of this node. */
        record Wrong() implements Match {
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Grant> outstanding = new ConcurrentHashMap<>();

    /** A new password for {@code user}'s session, valid from {@code now} for {@code ttlMs}. */
    String issue(String sessionId, String user, long now, long ttlMs) {
        retireOldest(user);
        while (true) {
            String password = newPassword();
            Grant g = new Grant(sessionId, user, now, now + ttlMs,
                    VncAuth.key(password.getBytes(StandardCharsets.US_ASCII)));
            if (outstanding.putIfAbsent(password, g) == null) {
                return password;
            }
        }
    }

    /**
     * The password whose answer to {@code challenge} is {@code response}, used up if it matched:
     * of two viewers answering with the same password, one is admitted.
     */
    Match admit(byte[] challenge, byte[] response, long now) {
        for (Map.Entry<String, Grant> e : outstanding.entrySet()) {
            Grant g = e.getValue();
            if (MessageDigest.isEqual(VncAuth.encrypt(challenge, g.key()), response)
                    && outstanding.remove(e.getKey(), g)) {
                return g.expiresAt() > now ? new Match.Admitted(g) : new Match.Expired(g);
            }
        }
        return new Match.Wrong();
    }

    /** Forgets passwords that expired more than {@link #EXPIRED_KEPT_MS} ago. */
    void prune(long now) {
        outstanding.values().removeIf(g -> g.expiresAt() + EXPIRED_KEPT_MS <= now);
    }

    /** Passwords remembered now (unused, or expired recently). */
    int outstanding() {
        return outstanding.size();
    }

    private void retireOldest(String user) {
        var mine = outstanding.entrySet().stream().filter(e -> e.getValue().user().equals(user)).toList();
        if (mine.size() >= PER_USER) {
            mine.stream().sorted(Comparator.comparingLong(e -> e.getValue().issuedAt()))
                    .limit(mine.size() - PER_USER + 1L)
                    .forEach(e -> outstanding.remove(e.getKey(), e.getValue()));
        }
    }

    private String newPassword() {
        char[] p = new char[VncAuth.PASSWORD_BYTES];
        for (int i = 0; i < p.length; i++) {
            p[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(p);
    }
}
