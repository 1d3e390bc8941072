package io.deskmesh.node.console;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Short-lived, single-use console tickets: {@code dmc1.<claims>.<signature>}, where the claims are a
 * random ticket id, the session, the user, the node that issued the ticket and its expiry, signed
 * with HMAC-SHA256 under HMAC(grid secret, "deskmesh-console-ticket-v1"), so any node can tell a
 * real ticket from a forged one.
 *
 * <p><b>Single use.</b> A ticket is good only on the node that issued it, and that node remembers
 * the ids it has admitted until they expire. A ticket replayed on the same node is refused as
 * used; replayed on any other node, as issued elsewhere. So single use needs no grid write (a
 * minority node can still open consoles) and survives any interleaving; the price is that the
 * client must open the console on the node it asked for the ticket, which is the node it logged in
 * to anyway. A node that restarts forgets what it admitted, but its tickets expire within the TTL.
 * Thread-safe.
 */
public final class ConsoleTickets {
    static final String PREFIX = "dmc1";
    private static final int MAX_TICKET_CHARS = 1024;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /** What a ticket says. Times are epoch milliseconds. */
    public record Ticket(String id, String sessionId, String user, String node, long expiresAt) {
    }

    /** A ticket refused, with the sentence the console's page shows. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private final SecretKeySpec key;
    private final String self;
    private final SecureRandom random = new SecureRandom();
    /** Ticket ids admitted on this node, with their expiry; pruned by {@link #prune}. */
    private final Map<String, Long> used = new ConcurrentHashMap<>();

    /**
     * @param gridSecret the grid's join token, known to every member
     * @param self       this node's server name: tickets it issues name it, and it admits only those
     */
    public ConsoleTickets(String gridSecret, String self) {
        if (gridSecret == null || gridSecret.isEmpty()) {
            throw new IllegalArgumentException("console tickets need the grid's secret (its join token)");
        }
        this.key = new SecretKeySpec(hmac(new SecretKeySpec(gridSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"),
                "deskmesh-console-ticket-v1"), "HmacSHA256");
        this.self = self;
    }

    /** A new ticket for the user's session, issued by this node, valid from {@code now} for {@code ttlMs}. */
    public String issue(String sessionId, String user, long now, long ttlMs) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        return encode(new Ticket(B64.encodeToString(id), sessionId, user, self, now + ttlMs));
    }

    String encode(Ticket t) {
        String payload = B64.encodeToString((t.id() + "\n" + t.sessionId() + "\n" + t.user() + "\n" + t.node() + "\n"
                + t.expiresAt()).getBytes(StandardCharsets.UTF_8));
        String signed = PREFIX + "." + payload;
        return signed + "." + B64.encodeToString(hmac(key, signed));
    }

    /** The claims of a well-formed ticket with a valid signature; says nothing about expiry or use. */
    public Optional<Ticket> decode(String ticket) {
        if (ticket == null || ticket.length() > MAX_TICKET_CHARS || !ticket.startsWith(PREFIX + ".")) {
            return Optional.empty();
        }
        int last = ticket.lastIndexOf('.');
        if (last <= PREFIX.length()) {
            return Optional.empty();
        }
        String signed = ticket.substring(0, last);
        try {
            if (!MessageDigest.isEqual(B64D.decode(ticket.substring(last + 1)), hmac(key, signed))) {
                return Optional.empty();
            }
            String[] p = new String(B64D.decode(signed.substring(PREFIX.length() + 1)), StandardCharsets.UTF_8)
                    .split("\n", -1);
            return p.length == 5 ? Optional.of(new Ticket(p[0], p[1], p[2], p[3], Long.parseLong(p[4]))) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Admits a ticket for opening {@code sessionId}'s console on this node at {@code now}, once:
     * it must be genuine, issued by this node for that session, unexpired and not admitted before.
     */
    public Ticket admit(String ticket, String sessionId, long now) throws Refused {
        if (ticket == null || ticket.isEmpty()) {
            throw new Refused("No console ticket. Ask for one (POST /api/v1/sessions/{id}/console-ticket) and pass it"
                    + " as ?ticket=");
        }
        Ticket t = decode(ticket).orElseThrow(() -> new Refused("This console ticket is not valid. Ask for a new one."));
        if (!t.node().equals(self)) {
            throw new Refused("This ticket was issued by server '" + t.node() + "'; open the console there.");
        }
        if (!t.sessionId().equals(sessionId)) {
            throw new Refused("This console ticket is for another session.");
        }
        if (t.expiresAt() <= now) {
            throw new Refused("This console ticket has expired. Ask for a new one.");
        }
        if (used.putIfAbsent(t.id(), t.expiresAt()) != null) {
            throw new Refused("This console ticket was already used. Ask for a new one.");
        }
        return t;
    }

    /** Forgets admitted tickets that have expired (they would be refused as expired anyway). */
    void prune(long now) {
        used.values().removeIf(expiresAt -> expiresAt <= now);
    }

    /** Admitted tickets remembered now. */
    int remembered() {
        return used.size();
    }

    private static byte[] hmac(SecretKeySpec key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
