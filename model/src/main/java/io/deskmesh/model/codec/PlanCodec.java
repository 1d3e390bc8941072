package io.deskmesh.model.codec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deskmesh.model.plan.Plan;
import io.deskmesh.model.plan.PlanAction;

/**
 * Encodes a plan as canonical JSON: {@code {"index":n,"actions":[{"kind":"AllocateVms",...}],"notes":[...]}}.
 * Equal plans encode to equal bytes, which is how nodes (and tests) compare plans. Thread-safe.
 */
public final class PlanCodec {
    private PlanCodec() {
    }

    public static byte[] encode(Plan plan) {
        return RecordCodec.bytes(toTree(plan));
    }

    public static ObjectNode toTree(Plan plan) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("index", plan.index());
        ArrayNode actions = root.putArray("actions");
        for (PlanAction a : plan.actions()) {
            ObjectNode node = Json.MAPPER.createObjectNode();
            node.put("kind", a.getClass().getSimpleName());
            node.setAll((ObjectNode) Json.MAPPER.valueToTree(a));
            actions.add(node);
        }
        ArrayNode notes = root.putArray("notes");
        plan.notes().forEach(notes::add);
        return root;
    }
}
