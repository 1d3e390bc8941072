package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code deskmesh session ...}: live sessions, and ending them. */
@Command(name = "session", description = "Manages live sessions: list, disconnect, log off.",
        subcommands = {SessionCommand.ListAll.class, SessionCommand.Disconnect.class, SessionCommand.Logoff.class})
public final class SessionCommand extends CommandGroup {
    static final String PATH = "/api/v1/sessions";

    @Command(name = "list", description = "Lists the live sessions (an admin sees all, a user their own).")
    static final class ListAll extends ApiCommand.Read {
        @Option(names = "--user", paramLabel = "USER", converter = Inputs.UserName.class, description = "Only this user's.")
        String user;

        @Option(names = "--template", paramLabel = "TEMPLATE", converter = Inputs.Name.class,
                description = "Only this template's.")
        String template;

        @Option(names = "--server", paramLabel = "SERVER", converter = Inputs.Name.class,
                description = "Only those on this server.")
        String server;

        @Override
        void run(ApiClient client) {
            Map<String, String> filters = new LinkedHashMap<>();
            filters.put("user", user);
            filters.put("template", template);
            filters.put("server", server);
            filters.values().removeIf(v -> v == null);
            JsonNode answer = client.get(PATH + ApiClient.query(filters));
            // The contract does not promise these filters on /sessions, so apply them here too.
            List<JsonNode> kept = new ArrayList<>();
            for (JsonNode n : Json.items(answer, "sessions")) {
                if (filters.entrySet().stream().allMatch(f -> f.getValue().equals(n.path(f.getKey()).asText()))) {
                    kept.add(n);
                }
            }
            print(filters.isEmpty() ? answer : Json.withItems(answer, kept, "sessions"), () -> table(kept).print(out(),
                    "no sessions"));
        }

        static TableWriter table(List<JsonNode> sessions) {
            TableWriter t = new TableWriter().column("ID").column("USER").column("TEMPLATE").column("VM")
                    .column("SERVER").column("STATE").column("SINCE");
            for (JsonNode n : sessions) {
                t.row(Json.text(n, "id", "sessionId"), Json.text(n, "user"), Json.text(n, "template"),
                        Json.text(n, "vm", "vmId"), Json.text(n, "server"), Json.text(n, "state"),
                        Json.time(n, "since", "reservedAt"));
            }
            return t;
        }
    }

    @Command(name = "disconnect", description = "Disconnects a session: the VM stays the user's until the template's"
            + " disconnect timeout, and a new connect resumes it.")
    static final class Disconnect extends ApiCommand {
        @Parameters(paramLabel = "ID", converter = Inputs.Id.class, description = "The session's id.")
        String id;

        @Override
        void run(ApiClient client) {
            client.post(PATH + "/" + ApiClient.segment(id) + "/disconnect", null);
            out().println("disconnected session " + id);
        }
    }

    @Command(name = "logoff", description = "Logs a session off: it ends, and a non-persistent VM is regenerated.")
    static final class Logoff extends ApiCommand {
        @Parameters(paramLabel = "ID", converter = Inputs.Id.class, description = "The session's id.")
        String id;

        @Override
        void run(ApiClient client) {
            client.delete(PATH + "/" + ApiClient.segment(id));
            out().println("logged off session " + id);
        }
    }
}
