package io.deskmesh.node.api;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.node.api.auth.HashingPool;

import java.time.Instant;

/**
 * What route groups share: the node's context, the API's settings, who is calling, the audited write
 * path and the password pool. Immutable.
 */
public record ApiServices(ApiContext context, ApiSettings settings, Authenticator auth, AuditedWrites writes,
                          HashingPool hashing) {

    public ClusterImage image() {
        return context.image().get();
    }

    public int maxBody() {
        return settings.maxBodyBytes();
    }

    /** A log time as the API shows it: ISO-8601 UTC, or null for 0 (never). */
    public static String time(long epochMs) {
        return epochMs == 0 ? null : Instant.ofEpochMilli(epochMs).toString();
    }
}
