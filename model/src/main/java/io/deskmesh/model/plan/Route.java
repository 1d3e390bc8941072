package io.deskmesh.model.plan;

import java.util.List;

/**
 * The connection router's answer for one login: candidates best first, or why there are none.
 * Immutable.
 *
 * @param candidates ordered best first; empty when nothing can host the login
 * @param whyEmpty   when empty, a sentence saying why (counts of servers and VMs ruled out)
 */
public record Route(List<Candidate> candidates, String whyEmpty) {
    public Route {
        candidates = List.copyOf(candidates);
    }

    public boolean isEmpty() {
        return candidates.isEmpty();
    }
}
