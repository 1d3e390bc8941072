package io.deskmesh.model.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deskmesh.model.command.CommandType;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;

import java.util.ArrayList;
import java.util.List;

/**
 * Encodes the commands of one log entry, with the log time the leader stamped, as
 * {@code {"v":1,"at":<ms>,"c":[{"t":<type id>,"b":{fields}}, ...]}}, and replies as
 * {@code {"v":1,"r":[{"k":"Reserved",...}, ...]}}. Thread-safe.
 */
public final class CommandCodec {
    public static final int VERSION = 1;

    private CommandCodec() {
    }

    /** One log entry: its stamped time and its commands in order. */
    public record Entry(long at, List<MeshCommand> commands) {
        public Entry {
            commands = List.copyOf(commands);
        }
    }

    public static byte[] encodeEntry(long at, List<? extends MeshCommand> commands) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("v", VERSION);
        root.put("at", at);
        ArrayNode list = root.putArray("c");
        for (MeshCommand c : commands) {
            list.add(encodeCommandTree(c));
        }
        return RecordCodec.bytes(root);
    }

    public static Entry decodeEntry(byte[] bytes) {
        JsonNode root = RecordCodec.tree(bytes);
        version(root);
        JsonNode list = root.get("c");
        if (list == null || !list.isArray()) {
            throw new CodecException("log entry has no command list");
        }
        List<MeshCommand> out = new ArrayList<>(list.size());
        for (JsonNode c : list) {
            out.add(decodeCommandTree(c));
        }
        return new Entry(root.path("at").asLong(), out);
    }

    public static byte[] encodeCommand(MeshCommand command) {
        return RecordCodec.bytes(encodeCommandTree(command));
    }

    public static MeshCommand decodeCommand(byte[] bytes) {
        return decodeCommandTree(RecordCodec.tree(bytes));
    }

    public static byte[] encodeReplies(List<Reply> replies) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("v", VERSION);
        ArrayNode list = root.putArray("r");
        for (Reply r : replies) {
            ObjectNode node = Json.MAPPER.createObjectNode();
            node.put("k", r.getClass().getSimpleName());
            node.setAll((ObjectNode) Json.MAPPER.valueToTree(r));
            node.remove("ok");
            list.add(node);
        }
        return RecordCodec.bytes(root);
    }

    public static List<Reply> decodeReplies(byte[] bytes) {
        JsonNode root = RecordCodec.tree(bytes);
        version(root);
        List<Reply> out = new ArrayList<>();
        for (JsonNode node : root.path("r")) {
            ObjectNode body = ((ObjectNode) node).deepCopy();
            String kind = body.path("k").asText();
            body.remove("k");
            Class<? extends Reply> type = switch (kind) {
                case "Done" -> Reply.Done.class;
                case "Created" -> Reply.Created.class;
                case "Allocated" -> Reply.Allocated.class;
                case "Reserved" -> Reply.Reserved.class;
                case "Failed" -> Reply.Failed.class;
                default -> throw new CodecException("reply kind '" + kind + "' is unknown to this DeskMesh version");
            };
            try {
                out.add(Json.MAPPER.treeToValue(body, type));
            } catch (JsonProcessingException e) {
                throw new CodecException("reply of kind " + kind + " is malformed: " + e.getOriginalMessage(), e);
            }
        }
        return out;
    }

    private static ObjectNode encodeCommandTree(MeshCommand c) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("t", c.type().id());
        node.set("b", Json.MAPPER.valueToTree(c));
        return node;
    }

    private static MeshCommand decodeCommandTree(JsonNode node) {
        int typeId = node.path("t").asInt(-1);
        CommandType type = CommandType.byId(typeId);
        if (type == null) {
            throw new CodecException("command type id " + node.path("t") + " is unknown to this DeskMesh version;"
                    + " upgrade this node before it applies a log written by a newer one");
        }
        JsonNode body = node.get("b");
        if (body == null || !body.isObject()) {
            throw new CodecException("command of type " + type + " has no body object");
        }
        try {
            return Json.MAPPER.treeToValue(body, type.commandClass());
        } catch (JsonProcessingException e) {
            throw new CodecException("command of type " + type + " is malformed: " + e.getOriginalMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new CodecException("command of type " + type + " is malformed: " + e.getMessage(), e);
        }
    }

    private static void version(JsonNode root) {
        int v = root.path("v").asInt(-1);
        if (v < 1 || v > VERSION) {
            throw new CodecException("command codec version " + root.path("v") + " is not supported (this node reads 1.."
                    + VERSION + "); upgrade this node");
        }
    }
}
