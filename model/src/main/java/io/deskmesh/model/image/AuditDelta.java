package io.deskmesh.model.image;

import io.deskmesh.model.record.AuditEventRecord;
import io.deskmesh.model.record.TokenRevokedRecord;
import org.pcollections.TreePMap;

/** Replays audit and token records onto an {@link AuditImage}. Not thread-safe: one replaying thread. */
final class AuditDelta {
    private final AuditImage base;
    private TreePMap<Long, AuditEventRecord> events;
    private long lastSeq;
    private TreePMap<String, Long> revoked;

    AuditDelta(AuditImage base) {
        this.base = base;
        events = base.events;
        lastSeq = base.lastSeq;
        revoked = base.revoked;
    }

    AuditImage apply() {
        if (events == base.events && revoked == base.revoked && lastSeq == base.lastSeq) {
            return base;
        }
        return new AuditImage(events, lastSeq, revoked);
    }

    void replay(AuditEventRecord r) {
        if (r.seq() <= lastSeq && !events.isEmpty()) {
            throw new ReplayException("audit event " + r.seq() + " is not after the last one, " + lastSeq);
        }
        events = events.plus(r.seq(), r);
        lastSeq = r.seq();
        while (events.size() > AuditImage.KEEP) {
            events = events.minusFirstEntry();
        }
    }

    void replay(TokenRevokedRecord r) {
        revoked = revoked.plus(r.tokenId(), r.expiresAt());
        // Forget revocations of tokens that have expired by now: they are refused anyway.
        while (!revoked.isEmpty()) {
            var expired = revoked.entrySet().stream().filter(e -> e.getValue() < r.at()).map(java.util.Map.Entry::getKey)
                    .findFirst().orElse(null);
            if (expired == null) {
                break;
            }
            revoked = revoked.minus(expired);
        }
    }
}
