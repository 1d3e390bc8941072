package io.deskmesh.bench.load;

import java.util.Map;

/**
 * Prints the storm's phases as markdown tables. Stateless, thread-safe.
 */
final class StormTables {
    /** The target for phase (b), reported, never asserted. */
    static final double TARGET_CONNECTS_PER_S = 1_000;
    static final double TARGET_P99_MS = 100;

    private StormTables() {
    }

    static void logins(Report report, LoginStorm.Result a, Map<String, Long> verified, int users, int concurrency) {
        Tally r = a.requests();
        Tally u = a.perUser();
        StringBuilder b = new StringBuilder("### storm (a): password logins, " + users + " users, " + concurrency
                + " clients over all nodes\n\n");
        b.append(new Table("measure", "logins", "logins/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "refused / failed")
                .row("each HTTP attempt", r.successes(), r.rate(), r.percentileMillis(50), r.percentileMillis(95),
                        r.percentileMillis(99), r.maxMillis(), r.failureSummary())
                .row("per user, retries included", u.successes(), u.rate(), u.percentileMillis(50), u.percentileMillis(95),
                        u.percentileMillis(99), u.maxMillis(), u.failureSummary()));
        b.append("\n").append(verifications(verified, r.seconds()));
        b.append("\nWall time ").append(Table.cell(r.seconds())).append(" s; ").append(a.tokens().size())
                .append(" users hold a token. A refused attempt (503 BUSY: the node's hashing queue is full; 429) is retried"
                        + " after its Retry-After with jitter.\n");
        report.out(b.toString());
    }

    static String verifications(Map<String, Long> byNode, double seconds) {
        Table t = new Table("node", "Argon2id verifications", "verifications/s");
        long total = 0;
        for (Map.Entry<String, Long> e : byNode.entrySet()) {
            t.row(e.getKey(), e.getValue(), e.getValue() / seconds);
            total += e.getValue();
        }
        t.row("all", total, total / seconds);
        return t.toString();
    }

    static void connects(Report report, Tally c, Tally probe, ConnectStorm.Uniqueness u, Tally off, int concurrency) {
        boolean met = c.rate() >= TARGET_CONNECTS_PER_S && c.percentileMillis(99) < TARGET_P99_MS;
        StringBuilder b = new StringBuilder("### storm (b): connects by callers holding a token, " + concurrency
                + " clients over all nodes\n\n");
        b.append(connectTable().row("connect storm", c.successes(), c.rate(), c.percentileMillis(50), c.percentileMillis(95),
                c.percentileMillis(99), c.maxMillis(), c.failureSummary())
                .row("probe before it: one connect at a time", probe.successes(), probe.rate(), probe.percentileMillis(50),
                        probe.percentileMillis(95), probe.percentileMillis(99), probe.maxMillis(), probe.failureSummary())
                .row("log-off (DELETE /api/v1/sessions/{id})", off.successes(), off.rate(), off.percentileMillis(50),
                        off.percentileMillis(95), off.percentileMillis(99), off.maxMillis(), off.failureSummary()));
        b.append("\n").append(uniqueness(u)).append('\n');
        b.append(String.format("Target (issue 4): >= %,.0f connects/s with p99 < %.0f ms — %s (%.0f connects/s, p99 %.1f ms).%n",
                TARGET_CONNECTS_PER_S, TARGET_P99_MS, met ? "met" : "MISSED", c.rate(), c.percentileMillis(99)));
        report.out(b.toString());
    }

    static void underStorm(Report report, Tally alone, Tally during, ConnectStorm.Uniqueness u1, ConnectStorm.Uniqueness u2,
                           Tally storm, double stormRateDuring, Map<String, Long> verified, int concurrency, int stormClients) {
        StringBuilder b = new StringBuilder("### storm (c): connect latency alone vs during a password storm ("
                + concurrency + " connect clients, " + stormClients + " login clients)\n\n");
        b.append(connectTable().row("connects alone", alone.successes(), alone.rate(), alone.percentileMillis(50),
                        alone.percentileMillis(95), alone.percentileMillis(99), alone.maxMillis(), alone.failureSummary())
                .row("connects during the storm", during.successes(), during.rate(), during.percentileMillis(50),
                        during.percentileMillis(95), during.percentileMillis(99), during.maxMillis(), during.failureSummary())
                .row("the password storm (whole)", storm.successes(), storm.rate(), storm.percentileMillis(50),
                        storm.percentileMillis(95), storm.percentileMillis(99), storm.maxMillis(), storm.failureSummary()));
        b.append(String.format("%nSuccessful logins/s while the measured connects ran: %.1f.%n%n", stormRateDuring));
        b.append(verifications(verified, storm.seconds()));
        b.append("\nAlone: ").append(uniqueness(u1)).append("\nDuring the storm: ").append(uniqueness(u2)).append('\n');
        report.out(b.toString());
    }

    private static Table connectTable() {
        return new Table("phase", "ok", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms", "failures by reason");
    }

    private static String uniqueness(ConnectStorm.Uniqueness u) {
        return String.format("No VM given twice: %s — GET /api/v1/sessions lists %d sessions on %d distinct VMs; the %d"
                        + " successful answers name %d distinct VMs and %d distinct sessions.",
                u.holds() ? "holds" : "VIOLATED", u.sessionsListed(), u.distinctListedVms(), u.answered(),
                u.distinctAnsweredVms(), u.distinctSessions());
    }
}
