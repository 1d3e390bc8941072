package io.deskmesh.model.plan;

import io.deskmesh.model.image.ServerImage;

import java.util.Set;

/**
 * A feasibility stage: says why a server cannot take new work, or null when it can. Named filters
 * make refusals explainable ("2 servers missing, 1 draining"). Stateless, thread-safe.
 */
public interface ServerFilter {
    /** Why the server is ruled out, or null when it passes. */
    String reject(ServerImage server);

    ServerFilter MISSING = s -> s.missing() ? "missing" : null;
    ServerFilter DRAINING = s -> s.draining() ? "draining" : null;
    ServerFilter SUSPECT = s -> s.suspect() ? "suspect" : null;

    /** Missing, draining and suspect servers take nothing new. */
    ServerFilter SCHEDULABLE = s -> {
        String why = MISSING.reject(s);
        if (why == null) {
            why = DRAINING.reject(s);
        }
        return why == null ? SUSPECT.reject(s) : why;
    };

    static ServerFilter excluding(Set<String> names) {
        return s -> names.contains(s.name()) ? "excluded by the broker" : null;
    }

    default ServerFilter then(ServerFilter next) {
        return s -> {
            String why = reject(s);
            return why != null ? why : next.reject(s);
        };
    }
}
