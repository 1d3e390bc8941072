package io.deskmesh.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * JSON helpers for the commands: printing, building request bodies, and reading the API's answers
 * leniently. The contract fixes paths and field names but not whether a list comes bare
 * ({@code [...]}) or wrapped ({@code {"templates": [...]}}), so {@link #items} accepts both; fields
 * may grow, so readers pick the fields they know and ignore the rest. Stateless and thread-safe.
 */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
    /** Like jq's: every element on its own line, {@code "key": value}, {@code []} and {@code {}} when empty. */
    private static final ObjectWriter PRETTY = MAPPER.writer(prettyPrinter());
    /** What a table shows for a missing, null or empty value. */
    static final String NONE = "-";

    private Json() {
    }

    private static DefaultPrettyPrinter prettyPrinter() {
        DefaultPrettyPrinter p = new DefaultPrettyPrinter().withSeparators(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withArrayEmptySeparator("")
                .withObjectEmptySeparator(""));
        p.indentArraysWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
        return p;
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static String compact(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Two-space indented, fields in the order the API sent them: stable for scripts. */
    static String pretty(JsonNode node) {
        try {
            return PRETTY.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The list in an answer: the answer itself when it is an array, else its first array field among
     * {@code keys}, else {@code items}, else its only array field.
     *
     * @throws CliFailure when there is no such list
     */
    static List<JsonNode> items(JsonNode root, String... keys) {
        JsonNode list = listOf(root, keys);
        if (list == null) {
            throw new CliFailure("unexpected answer from the node: expected a list of " + keys[0] + ", got "
                    + abbreviate(compact(root)));
        }
        List<JsonNode> out = new ArrayList<>();
        list.forEach(out::add);
        return out;
    }

    /** The answer with its list ({@link #items}) replaced by {@code kept}: filtered JSON in the same shape. */
    static JsonNode withItems(JsonNode root, List<JsonNode> kept, String... keys) {
        ArrayNode array = MAPPER.createArrayNode().addAll(kept);
        if (root.isArray()) {
            return array;
        }
        JsonNode list = listOf(root, keys);
        ObjectNode copy = ((ObjectNode) root).deepCopy();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (e.getValue() == list) {
                copy.set(e.getKey(), array);
            }
        }
        return copy;
    }

    private static JsonNode listOf(JsonNode root, String... keys) {
        if (root.isArray()) {
            return root;
        }
        if (!root.isObject()) {
            return null;
        }
        for (String key : keys) {
            if (root.path(key).isArray()) {
                return root.get(key);
            }
        }
        if (root.path("items").isArray()) {
            return root.get("items");
        }
        JsonNode only = null;
        for (JsonNode v : root) {
            if (v.isArray()) {
                if (only != null) {
                    return null;
                }
                only = v;
            }
        }
        return only;
    }

    /**
     * The first of {@code fields} that the node has, as table text: scalars as they are, arrays of
     * scalars joined with ", ", anything else as compact JSON; {@link #NONE} when none is there or it
     * is null or empty.
     */
    static String text(JsonNode node, String... fields) {
        for (String f : fields) {
            JsonNode v = node.get(f);
            if (v != null && !v.isNull()) {
                String s = render(v);
                return s.isEmpty() ? NONE : s;
            }
        }
        return NONE;
    }

    static String render(JsonNode v) {
        if (v.isValueNode()) {
            return v.asText();
        }
        if (v.isArray()) {
            StringJoiner j = new StringJoiner(", ");
            v.forEach(e -> j.add(e.isValueNode() ? e.asText() : compact(e)));
            return j.toString();
        }
        return compact(v);
    }

    /**
     * A log time to the second, UTC: from epoch milliseconds or an ISO-8601 instant; other text as it
     * came.
     */
    static String time(JsonNode node, String... fields) {
        for (String f : fields) {
            JsonNode v = node.get(f);
            if (v != null && v.isIntegralNumber()) {
                return Instant.ofEpochMilli(v.asLong()).truncatedTo(ChronoUnit.SECONDS).toString();
            }
            if (v != null && v.isTextual()) {
                try {
                    return Instant.parse(v.asText()).truncatedTo(ChronoUnit.SECONDS).toString();
                } catch (DateTimeParseException e) {
                    return text(node, f);
                }
            }
        }
        return text(node, fields);
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "...";
    }
}
