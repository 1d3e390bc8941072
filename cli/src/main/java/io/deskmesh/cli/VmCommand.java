package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code deskmesh vm list}: the grid's VMs. */
@Command(name = "vm", description = "Shows the grid's VMs.", subcommands = VmCommand.ListAll.class)
public final class VmCommand extends CommandGroup {
    static final String PATH = "/api/v1/vms";

    @Command(name = "list", description = "Lists the VMs, optionally only some.")
    static final class ListAll extends ApiCommand.Read {
        @Option(names = "--template", paramLabel = "TEMPLATE", converter = Inputs.Name.class,
                description = "Only this template's.")
        String template;

        @Option(names = "--server", paramLabel = "SERVER", converter = Inputs.Name.class,
                description = "Only those on this server.")
        String server;

        @Option(names = "--state", paramLabel = "STATE", converter = Inputs.State.class,
                description = "Only those in this state: allocated, stopped, running, dirty, unhealthy or retiring.")
        String state;

        @Override
        void run(ApiClient client) {
            Map<String, String> filters = new LinkedHashMap<>();
            filters.put("template", template);
            filters.put("server", server);
            filters.put("state", state);
            filters.values().removeIf(v -> v == null);
            JsonNode answer = client.get(PATH + ApiClient.query(filters));
            print(answer, () -> {
                TableWriter t = new TableWriter().column("ID").column("TEMPLATE").column("SERVER").column("STATE")
                        .column("OWNER").column("SESSION");
                for (JsonNode n : Json.items(answer, "vms")) {
                    t.row(Json.text(n, "id", "vmId"), Json.text(n, "template"), Json.text(n, "server"),
                            Json.text(n, "state"), Json.text(n, "owner"), Json.text(n, "sessionId", "session"));
                }
                t.print(out(), "no VMs");
            });
        }
    }
}
