package io.deskmesh.node.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Structural checks of an OpenAPI 3 document, enough to catch what hand-editing breaks: every
 * {@code $ref} resolves, every operation has a unique id and responses, every path template's
 * parameters are declared, and only HTTP methods sit under a path.
 */
final class OpenApiCheck {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final Pattern TEMPLATE = Pattern.compile("\\{([^}]+)}");

    private OpenApiCheck() {
    }

    static void assertValid(JsonNode root) {
        List<String> problems = new ArrayList<>();
        checkRefs(root, root, "#", problems);
        Set<String> ids = new HashSet<>();
        for (Map.Entry<String, JsonNode> path : root.path("paths").properties()) {
            Set<String> declared = new HashSet<>();
            pathParams(root, path.getValue().path("parameters"), declared);
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                if (op.getKey().equals("parameters") || op.getKey().equals("summary") || op.getKey().equals("description")) {
                    continue;
                }
                String where = op.getKey() + " " + path.getKey();
                if (!METHODS.contains(op.getKey())) {
                    problems.add(where + ": not an HTTP method");
                    continue;
                }
                if (!ids.add(op.getValue().path("operationId").asText())) {
                    problems.add(where + ": operationId missing or used twice");
                }
                if (!op.getValue().path("responses").isObject() || op.getValue().path("responses").isEmpty()) {
                    problems.add(where + ": no responses");
                }
                Set<String> params = new HashSet<>(declared);
                pathParams(root, op.getValue().path("parameters"), params);
                Matcher m = TEMPLATE.matcher(path.getKey());
                while (m.find()) {
                    if (!params.contains(m.group(1))) {
                        problems.add(where + ": path parameter '" + m.group(1) + "' is not declared");
                    }
                }
            }
        }
        assertThat(problems).as("problems in openapi.json").isEmpty();
    }

    private static void pathParams(JsonNode root, JsonNode list, Set<String> out) {
        for (JsonNode p : list) {
            JsonNode param = p.has("$ref") ? resolve(root, p.path("$ref").asText()) : p;
            if (param != null && "path".equals(param.path("in").asText()) && param.path("required").asBoolean()) {
                out.add(param.path("name").asText());
            }
        }
    }

    private static void checkRefs(JsonNode root, JsonNode node, String where, List<String> problems) {
        if (node.isObject()) {
            JsonNode ref = node.get("$ref");
            if (ref != null && resolve(root, ref.asText()) == null) {
                problems.add(where + ": $ref " + ref.asText() + " does not resolve");
            }
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                checkRefs(root, e.getValue(), where + "/" + e.getKey(), problems);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                checkRefs(root, node.get(i), where + "/" + i, problems);
            }
        }
    }

    private static JsonNode resolve(JsonNode root, String ref) {
        if (!ref.startsWith("#/")) {
            return null;
        }
        JsonNode n = root.at(ref.substring(1));
        return n.isMissingNode() ? null : n;
    }
}
