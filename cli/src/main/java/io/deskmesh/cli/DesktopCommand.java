package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

/** {@code deskmesh desktop ...}: what a user sees: their desktops, and getting one. */
@Command(name = "desktop", description = "Your desktops: which templates you may use, and connecting to one.",
        subcommands = {DesktopCommand.ListAll.class, DesktopCommand.Connect.class})
public final class DesktopCommand extends CommandGroup {
    static final String PATH = "/api/v1/desktops";

    @Command(name = "list", description = "Lists the templates you may use, with availability, and your sessions.")
    static final class ListAll extends ApiCommand.Read {
        @Override
        void run(ApiClient client) {
            JsonNode answer = client.get(PATH);
            print(answer, () -> {
                TableWriter t = new TableWriter().column("TEMPLATE").column("POOL").number("FREE").column("STATUS", 70);
                for (JsonNode n : Json.items(answer, "desktops", "templates")) {
                    String free = Json.text(n, "free") + (n.has("total") ? "/" + Json.text(n, "total") : "");
                    t.row(Json.text(n, "template", "name"), Json.text(n, "pool"), free, status(n));
                }
                t.print(out(), "no desktops: ask an admin to grant you a template");
                List<JsonNode> sessions = new ArrayList<>();
                answer.path("sessions").forEach(sessions::add);
                if (!sessions.isEmpty()) {
                    out().println();
                    out().println("Your sessions:");
                    SessionCommand.ListAll.table(sessions).print(out());
                }
            });
        }
    }

    /** Whether a connect would get a desktop now, and why not. */
    static String status(JsonNode desktop) {
        if (desktop.hasNonNull("sessionId")) {
            return "in your session " + desktop.get("sessionId").asText();
        }
        JsonNode available = desktop.path("available");
        if (!available.isBoolean()) {
            return Json.text(desktop, "available");
        }
        if (available.asBoolean()) {
            return desktop.hasNonNull("ownVm") ? "ready (your desktop " + desktop.get("ownVm").asText() + ")" : "ready";
        }
        return "unavailable: " + (desktop.hasNonNull("reason") ? desktop.get("reason").asText() : "no free desktop");
    }

    @Command(name = "connect", description = {"Gets you a desktop of a template.",
            "Prints the session, VM, server and the console's address. While your session lasts, connecting again"
                    + " gives you the same desktop."})
    static final class Connect extends ApiCommand.Read {
        @Parameters(paramLabel = "TEMPLATE", converter = Inputs.Name.class, description = "The template.")
        String template;

        @Override
        void run(ApiClient client) {
            JsonNode answer = client.post(PATH + "/" + template + "/connect", null);
            print(answer, () -> {
                String url = Json.text(answer.path("console"), "url");
                if (!url.equals(Json.NONE)) {
                    url = absolute(client.base(), url);
                }
                TableWriter t = new TableWriter().column("", 10).column("", 200);
                t.row("session", Json.text(answer, "sessionId", "id")
                        + (answer.path("reconnect").asBoolean(false) ? " (your session, resumed)" : ""));
                t.row("vm", Json.text(answer, "vm", "vmId"));
                t.row("server", Json.text(answer, "server"));
                t.row("console", url);
                t.printRows(out());
            });
        }

        /** A console address relative to the node, printed whole and ready to open. */
        private static String absolute(URI base, String url) {
            try {
                return base.resolve(new URI(url)).toString();
            } catch (URISyntaxException e) {
                return url;
            }
        }
    }
}
