package io.deskmesh.model.plan;

import java.util.List;

/**
 * What the planners decided for one image: actions (each names the server that carries it out) and
 * notes that explain what could not be done. Immutable.
 *
 * @param index   the image index it was planned from
 * @param actions in a deterministic order
 * @param notes   human-readable explanations (unplaceable VMs, images without a live copy ...)
 */
public record Plan(long index, List<PlanAction> actions, List<String> notes) {
    public Plan {
        actions = List.copyOf(actions);
        notes = List.copyOf(notes);
    }

    /** The actions this server must carry out, in plan order. */
    public List<PlanAction> actionsFor(String server) {
        return actions.stream().filter(a -> a.server().equals(server)).toList();
    }

    public boolean isEmpty() {
        return actions.isEmpty();
    }
}
