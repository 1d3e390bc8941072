package io.deskmesh.node.api.broker;

import java.time.Duration;

/**
 * How the broker behaves: how long a host may take to prepare a desktop, how many hosts one connect
 * tries, how long a reservation may stay unconnected, and how often the janitor looks for expired
 * sessions. Validated on construction. Immutable.
 *
 * @param prepareDeadline   a host that has not made the VM ready within this is suspected and skipped
 * @param maxAttempts       hosts one connect tries before it gives up (each failed host is excluded)
 * @param reservationGrace  a session still RESERVED (its connect never completed: the front door died
 *                          or the client gave up) is ended after this
 * @param janitorInterval   how often the session janitor looks for expired sessions
 */
public record BrokerSettings(Duration prepareDeadline, int maxAttempts, Duration reservationGrace,
                             Duration janitorInterval) {
    public static final BrokerSettings DEFAULTS = new BrokerSettings(Duration.ofSeconds(10), 3, Duration.ofMinutes(2),
            Duration.ofSeconds(1));

    public BrokerSettings {
        positive("prepareDeadline", prepareDeadline);
        positive("reservationGrace", reservationGrace);
        positive("janitorInterval", janitorInterval);
        if (maxAttempts < 1 || maxAttempts > 10) {
            throw new IllegalArgumentException("maxAttempts " + maxAttempts + " is out of range: use 1 to 10");
        }
        if (reservationGrace.compareTo(prepareDeadline.multipliedBy(maxAttempts)) <= 0) {
            throw new IllegalArgumentException("reservationGrace " + reservationGrace + " must exceed prepareDeadline x"
                    + " maxAttempts (" + prepareDeadline.multipliedBy(maxAttempts) + "), or the janitor would end"
                    + " reservations whose connect is still running");
        }
    }

    public BrokerSettings withPrepareDeadline(Duration deadline) {
        return new BrokerSettings(deadline, maxAttempts, reservationGrace, janitorInterval);
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
        }
    }
}
