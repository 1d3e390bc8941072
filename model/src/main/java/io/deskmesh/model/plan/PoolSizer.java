package io.deskmesh.model.plan;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.PoolDemand;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;

/**
 * How many VMs a template's pool should have.
 *
 * <p><b>Goals.</b> A fixed number is the admin's word. {@code auto} gives persistent pools one desktop
 * per entitled user, and non-persistent pools enough for the observed peak of concurrent sessions
 * with a margin, growing when logins found no free desktop in the last hour, and never more than
 * the entitled users (plus the spare buffer).
 *
 * <p><b>Algorithm (auto, non-persistent).</b> base = max(peak sessions, ceil(20% of entitled users));
 * if a login went unmet within {@link #UNMET_WINDOW_MS}, base = max(base, live sessions + max(1, 10%));
 * desired = min(entitled, ceil(base × 1.2)) + spare. Pure and deterministic: "now" is the image's log time.
 */
public final class PoolSizer {
    static final double DEFAULT_CONCURRENCY = 0.2;
    static final double MARGIN = 1.2;
    static final long UNMET_WINDOW_MS = 3_600_000;

    private PoolSizer() {
    }

    public static int desired(ClusterImage image, TemplateImage t) {
        DesiredVms d = t.spec().desiredVms();
        if (!d.auto()) {
            return d.count();
        }
        int entitled = image.accounts().entitledUsers(t.name()).size();
        if (entitled == 0) {
            return 0;
        }
        if (t.spec().pool() == PoolKind.PERSISTENT) {
            return entitled;
        }
        PoolDemand demand = image.sessions().demand(t.name());
        int base = Math.max(demand.peakSessions(), (int) Math.ceil(entitled * DEFAULT_CONCURRENCY));
        if (demand.lastUnmetAt() > 0 && image.at() - demand.lastUnmetAt() < UNMET_WINDOW_MS) {
            int live = image.sessions().onTemplate(t.name());
            base = Math.max(base, live + Math.max(1, (int) Math.ceil(live * 0.1)));
        }
        return Math.min(entitled, (int) Math.ceil(base * MARGIN)) + t.spec().spareVms();
    }

    /** Whether small excesses are tolerated (auto pools) so that sizing noise does not churn VMs. */
    static int surplusBand(TemplateImage t, int desired) {
        return t.spec().desiredVms().auto() ? Math.max(1, (int) Math.ceil(desired * 0.1)) : 0;
    }
}
