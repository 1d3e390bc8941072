package io.deskmesh.node.console;

import java.nio.charset.StandardCharsets;

/**
 * Why a console WebSocket closed: the close code the page receives, with a sentence it can show.
 * Codes 4000-4999 are ours (RFC 6455 leaves them to applications); the page should offer to
 * reconnect for {@link #HOST_GONE}, {@link #IDLE} and {@link #SHUTDOWN}, and to ask for a new
 * ticket for {@link #BAD_TICKET}. Immutable.
 */
public enum ConsoleClose {
    /** The client went away (its close code is kept); nothing is sent. */
    CLIENT_LEFT(1000),
    /** This node is shutting down; reconnect through another. */
    SHUTDOWN(1001),
    /** Something unexpected failed in the proxy. */
    FAILED(1011),
    /** No ticket, or one that is forged, expired, used, for another session or issued by another node. */
    BAD_TICKET(4401),
    /** The internal endpoint was called without the grid's secret. */
    BAD_TOKEN(4403),
    /** The session (or, on a host, the VM) does not exist, or is not the ticket holder's. */
    NO_SESSION(4404),
    /** No byte went either way for the idle timeout. */
    IDLE(4408),
    /** The desktop is not running or its console went away (the VM powered off). */
    NOT_RUNNING(4409),
    /** The session ended (log off, timeout, an admin) while its console was open. */
    ENDED(4410),
    /** The server hosting the desktop did not answer or went away. */
    HOST_GONE(4502);

    /** RFC 6455: a close reason has at most 123 bytes of UTF-8. */
    static final int MAX_REASON_BYTES = 123;

    private final int code;

    ConsoleClose(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The close of this code, if any. */
    static ConsoleClose of(int code) {
        for (ConsoleClose c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }

    /** {@code reason} cut to fit a close frame, on a character boundary. */
    static String fit(String reason) {
        if (reason == null) {
            return "";
        }
        if (reason.getBytes(StandardCharsets.UTF_8).length <= MAX_REASON_BYTES) {
            return reason;
        }
        StringBuilder sb = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < reason.length(); ) {
            int cp = reason.codePointAt(i);
            int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > MAX_REASON_BYTES - 3) {
                break;
            }
            sb.appendCodePoint(cp);
            bytes += n;
            i += Character.charCount(cp);
        }
        return sb.append("...").toString();
    }
}
