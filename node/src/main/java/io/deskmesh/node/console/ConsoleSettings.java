package io.deskmesh.node.console;

import java.time.Duration;

/**
 * How the console proxy behaves. Validated on construction. Immutable.
 *
 * @param ticketTtl      how long a console ticket may wait before it is used
 * @param idleTimeout    a console that carried no byte either way for this long is closed
 * @param connectTimeout how long opening the VM's console (locally, or through its host) may take
 * @param sweepInterval  how often open consoles are checked for idleness, ended sessions and
 *                       activity to report
 * @param activityEvery  client input is reported to the grid (as {@code ConnectSessionCommand},
 *                       which moves the session's last activity) at most this often per console
 * @param fileTtl        how long the one-time password of a connection file (a native viewer's
 *                       ticket) may wait before it is used: the user has to save and open the file
 */
public record ConsoleSettings(Duration ticketTtl, Duration idleTimeout, Duration connectTimeout, Duration sweepInterval,
                              Duration activityEvery, Duration fileTtl) {
    /** Read by {@link #defaults()}: the idle timeout in seconds, e.g. {@code -Ddeskmesh.console.idle-timeout-seconds=600}. */
    public static final String IDLE_PROPERTY = "deskmesh.console.idle-timeout-seconds";

    public ConsoleSettings {
        positive("ticketTtl", ticketTtl);
        positive("idleTimeout", idleTimeout);
        positive("connectTimeout", connectTimeout);
        positive("sweepInterval", sweepInterval);
        positive("activityEvery", activityEvery);
        positive("fileTtl", fileTtl);
        if (ticketTtl.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("ticketTtl " + ticketTtl + " is too long for a single-use ticket in a URL;"
                    + " use at most 5 minutes");
        }
        if (fileTtl.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("fileTtl " + fileTtl + " is too long for a one-time password in a file;"
                    + " use at most 10 minutes");
        }
    }

    /**
     * 30 s tickets, 15 min idle timeout (or {@value #IDLE_PROPERTY}), 5 s to open a console, a sweep every second,
     * activity reported at most once a minute (the model moves a session's activity no more often),
     * connection files valid for 2 min.
     */
    public static ConsoleSettings defaults() {
        Duration idle = Duration.ofMinutes(15);
        String configured = System.getProperty(IDLE_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            try {
                idle = Duration.ofSeconds(Long.parseLong(configured.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("system property " + IDLE_PROPERTY + " is '" + configured
                        + "', not a whole number of seconds");
            }
        }
        return new ConsoleSettings(Duration.ofSeconds(30), idle, Duration.ofSeconds(5), Duration.ofSeconds(1),
                Duration.ofMinutes(1), Duration.ofMinutes(2));
    }

    public ConsoleSettings withIdleTimeout(Duration idle) {
        return new ConsoleSettings(ticketTtl, idle, connectTimeout, sweepInterval, activityEvery, fileTtl);
    }

    public ConsoleSettings withTicketTtl(Duration ttl) {
        return new ConsoleSettings(ttl, idleTimeout, connectTimeout, sweepInterval, activityEvery, fileTtl);
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
        }
    }
}
