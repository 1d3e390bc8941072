package io.deskmesh.bench.load;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads what the harness waits on from a node's {@code GET /api/v1/cluster} and {@code GET /healthz}
 * documents: servers by state, a template's pool by state and server, applied index and term.
 * Stateless, thread-safe.
 */
final class GridView {
    private GridView() {
    }

    static JsonNode cluster(GridClient client, String url) {
        return client.get(url, "/api/v1/cluster", null);
    }

    /** The node's {@code raft} part of /healthz: status, role, leaderId, appliedIndex, term. */
    static JsonNode raft(GridClient client, String url) {
        return client.send("GET", url, "/healthz", null, null, java.time.Duration.ofSeconds(5)).join().json().path("raft");
    }

    static List<String> activeServers(JsonNode view) {
        List<String> out = new ArrayList<>();
        view.path("servers").forEach(s -> {
            if ("active".equals(s.path("state").asText())) {
                out.add(s.path("name").asText());
            }
        });
        return out;
    }

    static JsonNode server(JsonNode view, String name) {
        for (JsonNode s : view.path("servers")) {
            if (name.equals(s.path("name").asText())) {
                return s;
            }
        }
        return GridClient.JSON.createObjectNode();
    }

    static JsonNode template(JsonNode view, String name) {
        for (JsonNode t : view.path("templates")) {
            if (name.equals(t.path("name").asText())) {
                return t;
            }
        }
        return GridClient.JSON.createObjectNode();
    }

    static int byState(JsonNode template, String state) {
        return template.path("byState").path(state).asInt();
    }

    /** The template's VMs that are built (running or stopped). */
    static int built(JsonNode template) {
        return byState(template, "running") + byState(template, "stopped");
    }

    /** The template's VMs on active servers. */
    static int onActiveServers(JsonNode view, String template) {
        JsonNode byServer = template(view, template).path("byServer");
        return activeServers(view).stream().mapToInt(s -> byServer.path(s).asInt()).sum();
    }

    /** Servers holding a landed copy of the image's version. */
    static List<String> landedCopies(JsonNode view, String image, int version) {
        List<String> out = new ArrayList<>();
        for (JsonNode i : view.path("images")) {
            if (image.equals(i.path("image").asText()) && i.path("version").asInt() == version) {
                i.path("replicas").forEach(r -> {
                    if ("landed".equals(r.path("state").asText())) {
                        out.add(r.path("server").asText());
                    }
                });
            }
        }
        return out;
    }

    /**
     * Waits until {@code copies} servers hold a landed copy of the image: a pool created after that is
     * spread over all of them at once, rather than piled on the first holder while copies travel.
     */
    static long awaitCopies(GridClient client, String url, String image, int copies, java.time.Duration timeout) {
        return Waits.until(copies + " landed copies of " + image, timeout, java.time.Duration.ofMillis(250),
                () -> landedCopies(cluster(client, url), image, 1).size() >= copies, () -> summary(client, url));
    }

    /** One line: index, leader, servers with state and VMs, totals. */
    static String summary(GridClient client, String url) {
        try {
            return summary(cluster(client, url));
        } catch (RuntimeException e) {
            return "(no view from " + url + ": " + e.getMessage() + ")";
        }
    }

    static String summary(JsonNode v) {
        StringBuilder b = new StringBuilder("index ").append(v.path("index").asLong()).append(", leader ")
                .append(v.path("leader").asText()).append(", servers");
        v.path("servers").forEach(s -> b.append(' ').append(s.path("name").asText()).append('=')
                .append(s.path("state").asText()).append('/').append(s.path("vms").asInt()).append("vms"));
        b.append(", totals ").append(v.path("totals"));
        v.path("templates").forEach(t -> b.append(", ").append(t.path("name").asText()).append(' ')
                .append(t.path("vms").asInt()).append(' ').append(t.path("byState")));
        return b.toString();
    }
}
