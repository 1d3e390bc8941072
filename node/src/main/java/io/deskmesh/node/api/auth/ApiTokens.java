package io.deskmesh.node.api.auth;

import io.deskmesh.model.image.UserImage;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Signed, expiring API tokens that every node verifies without shared state:
 * {@code dm1.<claims>.<signature>}, where the claims are token id, user, issue and expiry times and
 * a stamp of the user's credentials, and the signature is HMAC-SHA256 under a key derived from the
 * grid's secret (HMAC(secret, "deskmesh-api-token-v1")). Revocation (logout) lives in the replicated
 * image, checked by {@link TokenAuthenticator}. Also derives each token's CSRF value the same way, so
 * any node can check the header a cookie-authenticated browser sends. Thread-safe.
 */
public final class ApiTokens {
    static final String PREFIX = "dm1";
    private static final int MAX_TOKEN_CHARS = 1024;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private final SecretKeySpec signingKey;
    private final SecretKeySpec csrfKey;
    /** Initialised MACs per thread (every API call checks a token; Mac.getInstance and init are costly). */
    private final ThreadLocal<Mac> signing;
    private final ThreadLocal<Mac> csrfing;
    private final SecureRandom random = new SecureRandom();

    public ApiTokens(String gridSecret) {
        if (gridSecret == null || gridSecret.isEmpty()) {
            throw new IllegalArgumentException("API tokens need the grid's secret (its join token)");
        }
        byte[] secret = gridSecret.getBytes(StandardCharsets.UTF_8);
        this.signingKey = new SecretKeySpec(hmac(new SecretKeySpec(secret, "HmacSHA256"), "deskmesh-api-token-v1"), "HmacSHA256");
        this.csrfKey = new SecretKeySpec(hmac(new SecretKeySpec(secret, "HmacSHA256"), "deskmesh-csrf-v1"), "HmacSHA256");
        this.signing = ThreadLocal.withInitial(() -> mac(signingKey));
        this.csrfing = ThreadLocal.withInitial(() -> mac(csrfKey));
    }

    /**
     * What a token says.
     *
     * @param tokenId   random, unique; what logout revokes
     * @param user      the user name
     * @param issuedAt  epoch ms
     * @param expiresAt epoch ms
     * @param stamp     the user's {@link #stamp}: changes when the account is recreated or its password changes
     */
    public record Claims(String tokenId, String user, long issuedAt, long expiresAt, String stamp) {
    }

    /** A new token for a user, valid from {@code now} for {@code ttlMs}. */
    public Claims issue(UserImage user, long now, long ttlMs) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        return new Claims(B64.encodeToString(id), user.name(), now, now + ttlMs, stamp(user));
    }

    public String encode(Claims c) {
        String payload = B64.encodeToString((c.tokenId() + "\n" + c.user() + "\n" + c.issuedAt() + "\n" + c.expiresAt()
                + "\n" + c.stamp()).getBytes(StandardCharsets.UTF_8));
        String signed = PREFIX + "." + payload;
        return signed + "." + B64.encodeToString(sign(signing, signed));
    }

    /** The claims of a well-formed token with a valid signature; says nothing about expiry or revocation. */
    public Optional<Claims> decode(String token) {
        if (token == null || token.length() > MAX_TOKEN_CHARS) {
            return Optional.empty();
        }
        int last = token.lastIndexOf('.');
        if (last < 0 || !token.startsWith(PREFIX + ".")) {
            return Optional.empty();
        }
        String signed = token.substring(0, last);
        try {
            byte[] signature = B64D.decode(token.substring(last + 1));
            if (!MessageDigest.isEqual(signature, sign(signing, signed))) {
                return Optional.empty();
            }
            String[] parts = new String(B64D.decode(signed.substring(PREFIX.length() + 1)), StandardCharsets.UTF_8)
                    .split("\n", -1);
            if (parts.length != 5) {
                return Optional.empty();
            }
            return Optional.of(new Claims(parts[0], parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3]), parts[4]));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The CSRF value that goes with a token: a browser sends it in {@link TokenAuthenticator#CSRF_HEADER}. */
    public String csrf(String tokenId) {
        return B64.encodeToString(sign(csrfing, tokenId));
    }

    /** Whether a header value is the CSRF value of a token, in constant time. */
    public boolean csrfMatches(String tokenId, String header) {
        return header != null && MessageDigest.isEqual(csrf(tokenId).getBytes(StandardCharsets.UTF_8),
                header.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A short digest of what identifies an account's credentials (creation time and password hash):
     * a token stops working when its user is deleted and recreated or changes password.
     */
    public static String stamp(UserImage user) {
        // Every API call checks its token's stamp: hashing once per user record, not once per call.
        Stamped known = STAMPS.get(user.name());
        if (known != null && known.user() == user) {
            return known.stamp();
        }
        String stamp = computeStamp(user);
        if (STAMPS.size() >= MAX_STAMPS) {
            STAMPS.clear();
        }
        STAMPS.put(user.name(), new Stamped(user, stamp));
        return stamp;
    }

    private record Stamped(UserImage user, String stamp) {
    }

    /** Stamps of the user records last seen, by user name; an account's new record replaces its old one. */
    private static final java.util.Map<String, Stamped> STAMPS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_STAMPS = 100_000;

    private static String computeStamp(UserImage user) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((user.createdAt() + "\n" + user.passwordHash())
                    .getBytes(StandardCharsets.UTF_8));
            return B64.encodeToString(java.util.Arrays.copyOf(d, 12));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static byte[] sign(ThreadLocal<Mac> mac, String message) {
        return mac.get().doFinal(message.getBytes(StandardCharsets.UTF_8)); // doFinal resets it for the next use
    }

    private static Mac mac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] hmac(SecretKeySpec key, String message) {
        return mac(key).doFinal(message.getBytes(StandardCharsets.UTF_8));
    }
}
