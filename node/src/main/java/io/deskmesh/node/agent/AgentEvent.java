package io.deskmesh.node.agent;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One message a desktop agent sent, parsed from its line of the agent protocol; immutable.
 *
 * <p>The protocol (guest to host, one ASCII line each, fields split by one space):
 * {@code ready <protocol> <hostname>}, {@code heartbeat <seq>}, {@code login <user>},
 * {@code logout <user>}. Host to guest: {@code stop} (the agent exits; fault injection) and
 * {@code report login|logout <user>} (the agent reports that event as if it had happened in the
 * guest: how tests stand in for a user at a desktop). Unknown
 * or malformed lines are ignored, so a newer agent can add messages.
 *
 * @param kind what happened
 * @param user the user of a login or logout, else empty
 */
public record AgentEvent(Kind kind, String user) {
    /** The longest line the node reads; a longer one is cut and ignored. */
    public static final int MAX_LINE = 256;
    /** The host-to-guest request that makes an agent exit. */
    public static final String STOP = "stop";

    /** The host-to-guest request that makes an agent report {@code login user} or {@code logout user}. */
    public static String report(Kind loginOrLogout, String user) {
        if (loginOrLogout != Kind.LOGIN && loginOrLogout != Kind.LOGOUT) {
            throw new IllegalArgumentException("an agent reports only a login or a logout, not " + loginOrLogout);
        }
        if (!USER.matcher(user).matches()) {
            throw new IllegalArgumentException("user name '" + user + "' cannot travel in the agent protocol; use"
                    + " 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit");
        }
        return "report " + loginOrLogout.name().toLowerCase(java.util.Locale.ROOT) + " " + user;
    }

    private static final Pattern USER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");

    public enum Kind { READY, HEARTBEAT, LOGIN, LOGOUT }

    /** The event a line carries, or empty when the line is not a message this node knows. */
    public static Optional<AgentEvent> parse(String line) {
        if (line == null || line.length() > MAX_LINE) {
            return Optional.empty();
        }
        String[] f = line.strip().split(" ", -1);
        return switch (f[0]) {
            case "ready" -> Optional.of(new AgentEvent(Kind.READY, ""));
            case "heartbeat" -> Optional.of(new AgentEvent(Kind.HEARTBEAT, ""));
            case "login", "logout" -> f.length == 2 && USER.matcher(f[1]).matches()
                    ? Optional.of(new AgentEvent("login".equals(f[0]) ? Kind.LOGIN : Kind.LOGOUT, f[1]))
                    : Optional.empty();
            default -> Optional.empty();
        };
    }
}
