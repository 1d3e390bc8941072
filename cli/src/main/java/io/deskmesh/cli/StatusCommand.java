package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.List;
import java.util.StringJoiner;

/**
 * {@code deskmesh status}: the grid at a glance from {@code GET /api/v1/cluster} (its shape is
 * {@code io.deskmesh.node.http.ClusterView}): leader and index, servers with state and load, base
 * images with their copies, templates with desired and actual VMs.
 */
@Command(name = "status", description = {"Shows the grid at a glance.",
        "Leader and index; servers with state, site, load, VMs and sessions; base images with their copies;"
                + " templates with desired and actual VMs."})
public final class StatusCommand extends ApiCommand.Read {
    static final String PATH = "/api/v1/cluster";
    private static final int BAR = 10;

    @Override
    void run(ApiClient client) {
        JsonNode view = client.get(PATH);
        print(view, () -> {
            PrintWriter out = out();
            header(out, view);
            out.println();
            servers(Json.items(view, "servers")).print(out, "no servers");
            out.println();
            ImageCommand.table(Json.items(view, "images")).print(out, "no base images");
            out.println();
            templates(Json.items(view, "templates")).print(out, "no templates");
        });
    }

    private static void header(PrintWriter out, JsonNode view) {
        out.println("grid " + Json.text(view, "grid") + "  index " + Json.text(view, "index") + "  leader "
                + Json.text(view, "leader") + "  (answered by " + Json.text(view, "self") + " at "
                + Json.time(view, "at") + ")");
        JsonNode t = view.path("totals");
        if (t.isObject()) {
            out.println("servers " + Json.text(t, "servers") + " (" + Json.text(t, "liveServers") + " live)  VMs "
                    + Json.text(t, "vms") + "  sessions " + Json.text(t, "sessions") + "  templates "
                    + Json.text(t, "templates") + "  users " + Json.text(t, "users"));        }
    }

    private static TableWriter servers(List<JsonNode> servers) {
        TableWriter t = new TableWriter().column("SERVER").column("STATE").column("SITE").column("LOAD")
                .number("VMS").number("RUNNING").number("SESSIONS");
        for (JsonNode s : servers) {
            t.row(Json.text(s, "name"), state(s), Json.text(s, "site"), bar(s.path("utilisation")), Json.text(s, "vms"),
                    Json.text(s, "runningVms"), Json.text(s, "sessions"));
        }
        return t;
    }

    private static TableWriter templates(List<JsonNode> templates) {
        TableWriter t = new TableWriter().column("TEMPLATE").column("POOL").column("IMAGE").column("DESIRED")
                .number("VMS").number("SESSIONS").column("BY STATE", 60);
        for (JsonNode n : templates) {
            String desired = Json.text(n, "desired");
            String now = Json.text(n, "desiredNow");
            String image = Json.text(n, "baseImage") + (n.has("imageVersion") ? " v" + Json.text(n, "imageVersion") : "");
            t.row(Json.text(n, "name"), Json.text(n, "pool"), image,
                    desired.equals(now) || now.equals(Json.NONE) ? desired : desired + " (now " + now + ")",
                    Json.text(n, "vms"), Json.text(n, "sessions"), counts(n.path("byState")));
        }
        return t;
    }

    /** A server's state, with "(suspect)" when brokering avoids it. */
    static String state(JsonNode server) {
        return Json.text(server, "state") + (server.path("suspect").asBoolean(false) ? " (suspect)" : "");
    }

    /** Utilisation 0..1 as {@code 41%}; {@link Json#NONE} when absent. */
    static String percent(JsonNode utilisation) {
        return utilisation.isNumber() ? Math.round(utilisation.asDouble() * 100) + "%" : Json.NONE;
    }

    /** Utilisation 0..1 as {@code [####------]  41%}. */
    static String bar(JsonNode utilisation) {
        if (!utilisation.isNumber()) {
            return Json.NONE;
        }
        double u = Math.max(0, Math.min(1, utilisation.asDouble()));
        int full = (int) Math.round(u * BAR);
        return "[" + "#".repeat(full) + "-".repeat(BAR - full) + "] " + String.format("%4s", percent(utilisation));
    }

    /** {@code running 2, stopped 6} from {@code {"running":2,"stopped":6}}. */
    private static String counts(JsonNode byState) {
        StringJoiner j = new StringJoiner(", ");
        byState.properties().forEach(e -> j.add(e.getKey() + " " + e.getValue().asText()));
        return j.toString();
    }
}
