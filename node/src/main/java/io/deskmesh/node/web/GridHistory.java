package io.deskmesh.node.web;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.record.AuditEventRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Sessions and logins per minute over the last hour, for the admin dashboard's charts. Logins are
 * counted from the grid's audit trail (the same on every node); sessions are this node's samples of
 * its image, so a node started a minute ago shows a minute of them. Thread-safe (synchronized).
 */
final class GridHistory {
    static final int MINUTES = 60;
    private static final long MINUTE = 60_000;

    /** One minute: its start (epoch ms), the most sessions seen in it (-1: not sampled), good and failed logins. */
    record Point(long at, int sessions, int logins, int failedLogins) {
    }

    /** Most sessions seen per minute, indexed by minute number (epoch minutes) modulo {@link #MINUTES}. */
    private final int[] sessions = new int[MINUTES];
    private final long[] minuteOf = new long[MINUTES];

    GridHistory() {
        java.util.Arrays.fill(minuteOf, -1);
    }

    synchronized void sample(long now, int sessionCount) {
        long minute = now / MINUTE;
        int slot = (int) (minute % MINUTES);
        if (minuteOf[slot] != minute) {
            minuteOf[slot] = minute;
            sessions[slot] = sessionCount;
        } else {
            sessions[slot] = Math.max(sessions[slot], sessionCount);
        }
    }

    /** The last hour, oldest minute first, ending with the current one. */
    synchronized List<Point> points(long now, ClusterImage image) {
        long last = now / MINUTE;
        long first = last - MINUTES + 1;
        int[] ok = new int[MINUTES];
        int[] failed = new int[MINUTES];
        for (AuditEventRecord e : image.audit().events()) {
            long minute = e.at() / MINUTE;
            if (minute >= first && minute <= last && "login".equals(e.action())) {
                int i = (int) (minute - first);
                if (e.ok()) {
                    ok[i]++;
                } else {
                    failed[i]++;
                }
            }
        }
        List<Point> out = new ArrayList<>(MINUTES);
        for (int i = 0; i < MINUTES; i++) {
            long minute = first + i;
            int slot = (int) (minute % MINUTES);
            out.add(new Point(minute * MINUTE, minuteOf[slot] == minute ? sessions[slot] : -1, ok[i], failed[i]));
        }
        return out;
    }
}
