package io.deskmesh.model.image;

import io.deskmesh.model.record.AuditEventRecord;
import org.pcollections.TreePMap;

import java.util.Collection;
import java.util.Map;

/**
 * The most recent audit events (at most {@link #KEEP}, by sequence number) and the API tokens revoked
 * before their expiry. Immutable and thread-safe.
 */
public final class AuditImage {
    /** Events kept in the replicated state; older ones drop off (ship them elsewhere to keep them). */
    public static final int KEEP = 10_000;
    public static final AuditImage EMPTY = new AuditImage(TreePMap.empty(), 0, TreePMap.empty());

    final TreePMap<Long, AuditEventRecord> events;
    final long lastSeq;
    /** token id → its expiry (epoch ms). */
    final TreePMap<String, Long> revoked;

    AuditImage(TreePMap<Long, AuditEventRecord> events, long lastSeq, TreePMap<String, Long> revoked) {
        this.events = events;
        this.lastSeq = lastSeq;
        this.revoked = revoked;
    }

    /** Kept events, oldest first. */
    public Collection<AuditEventRecord> events() {
        return events.values();
    }

    /** Events after a sequence number, oldest first. */
    public Collection<AuditEventRecord> since(long seq) {
        return events.tailMap(seq, false).values();
    }

    public long lastSeq() {
        return lastSeq;
    }

    public boolean revoked(String tokenId) {
        return revoked.containsKey(tokenId);
    }

    /** Revoked token ids with their expiry. */
    public Map<String, Long> revokedTokens() {
        return revoked;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuditImage a && lastSeq == a.lastSeq && events.equals(a.events) && revoked.equals(a.revoked);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(lastSeq) * 31 + revoked.hashCode();
    }
}
