package io.deskmesh.model.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deskmesh.model.record.MeshRecord;
import io.deskmesh.model.record.RecordType;

import java.io.IOException;

/**
 * Encodes one record as {@code {"v":1,"t":<type id>,"r":{fields}}} in UTF-8 JSON. Thread-safe.
 */
public final class RecordCodec {
    /** The codec version written; readers refuse newer ones. */
    public static final int VERSION = 1;

    private RecordCodec() {
    }

    public static byte[] encode(MeshRecord record) {
        return bytes(toTree(record));
    }

    public static MeshRecord decode(byte[] bytes) {
        return fromTree(tree(bytes));
    }

    static ObjectNode toTree(MeshRecord record) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("v", VERSION);
        node.put("t", record.type().id());
        node.set("r", Json.MAPPER.valueToTree(record));
        return node;
    }

    static MeshRecord fromTree(JsonNode node) {
        int version = node.path("v").asInt(-1);
        if (version < 1 || version > VERSION) {
            throw new CodecException("record codec version " + node.path("v") + " is not supported by this node (it reads 1.."
                    + VERSION + "); upgrade this node before it replays a log written by a newer one");
        }
        int typeId = node.path("t").asInt(-1);
        RecordType type = RecordType.byId(typeId);
        if (type == null) {
            throw new CodecException("record type id " + node.path("t") + " is unknown to this DeskMesh version; "
                    + "upgrade this node before it replays a log written by a newer one");
        }
        JsonNode body = node.get("r");
        if (body == null || !body.isObject()) {
            throw new CodecException("record of type " + type + " has no body object");
        }
        try {
            return Json.MAPPER.treeToValue(body, type.recordClass());
        } catch (JsonProcessingException e) {
            throw new CodecException("record of type " + type + " is malformed: " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new CodecException("record of type " + type + " is malformed: " + e.getMessage(), e);
        }
    }

    static byte[] bytes(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new CodecException("cannot encode " + node, e);
        }
    }

    static JsonNode tree(byte[] bytes) {
        try {
            JsonNode node = Json.MAPPER.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new CodecException("expected a JSON object, got " + (node == null ? "nothing" : node.getNodeType()));
            }
            return node;
        } catch (IOException e) {
            throw new CodecException("not valid JSON: " + e.getMessage(), e);
        }
    }
}
