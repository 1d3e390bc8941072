package io.deskmesh.model.record;

/**
 * The demand seen so far for a template's pool: its peak of concurrent sessions and how many logins
 * found no free desktop. Replay derives these from sessions as they happen; snapshots write them out
 * with this record so an auto-sized pool remembers what it learned. Type id 86.
 */
public record PoolDemandObservedRecord(String template, int peakSessions, long unmetLogins, long at)
        implements MeshRecord {
    public PoolDemandObservedRecord {
        java.util.Objects.requireNonNull(template, "template");
        if (peakSessions < 0 || unmetLogins < 0) {
            throw new IllegalArgumentException("demand counts must be >= 0: peak=" + peakSessions + " unmet=" + unmetLogins);
        }
    }
}
