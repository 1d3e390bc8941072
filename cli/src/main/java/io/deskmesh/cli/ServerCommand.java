package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deskmesh server ...}: the grid's servers, and taking them out of service. */
@Command(name = "server", description = "Manages the grid's servers: list, drain, resume, remove.",
        subcommands = {ServerCommand.ListAll.class, ServerCommand.Drain.class, ServerCommand.Resume.class,
                ServerCommand.Remove.class})
public final class ServerCommand extends CommandGroup {
    static final String PATH = "/api/v1/servers";

    @Command(name = "list", description = "Lists the servers with their state and load.")
    static final class ListAll extends ApiCommand.Read {
        @Override
        void run(ApiClient client) {
            JsonNode answer = client.get(PATH);
            print(answer, () -> {
                TableWriter t = new TableWriter().column("NAME").column("STATE").column("SITE").column("ADDRESS")
                        .number("LOAD").number("VMS").number("SESSIONS");
                for (JsonNode n : Json.items(answer, "servers")) {
                    // Load figures sit in "usage" here, at the top level in the cluster view.
                    JsonNode usage = n.path("usage").isObject() ? n.path("usage") : n;
                    t.row(Json.text(n, "name"), StatusCommand.state(n), Json.text(n, "site"), Json.text(n, "address"),
                            StatusCommand.percent(usage.path("utilisation")), Json.text(usage, "vms"),
                            Json.text(n, "sessions"));
                }
                t.print(out(), "no servers");
            });
        }
    }

    @Command(name = "drain", description = "Drains a server: it keeps what it hosts but is given nothing new.")
    static final class Drain extends ApiCommand {
        @Parameters(paramLabel = "NAME", converter = Inputs.Name.class, description = "The server.")
        String name;

        @Override
        void run(ApiClient client) {
            client.post(PATH + "/" + name + "/drain", null);
            out().println("server " + name + " is draining: it keeps its sessions and VMs but gets nothing new;"
                    + " 'deskmesh server resume " + name + "' undoes it");
        }
    }

    @Command(name = "resume", description = "Puts a drained server back into service.")
    static final class Resume extends ApiCommand {
        @Parameters(paramLabel = "NAME", converter = Inputs.Name.class, description = "The server.")
        String name;

        @Override
        void run(ApiClient client) {
            client.post(PATH + "/" + name + "/resume", null);
            out().println("server " + name + " is active again");
        }
    }

    @Command(name = "remove", description = {"Takes a server out of the grid for good.",
            "Ends its sessions, forgets its VMs and image copies, and removes it from the Raft group; stop that node"
                    + " afterwards. Asks for confirmation unless --yes is given."})
    static final class Remove extends ApiCommand {
        @Parameters(paramLabel = "NAME", converter = Inputs.Name.class, description = "The server to remove.")
        String name;

        @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation.")
        boolean yes;

        @Override
        void validate() {
            if (yes) {
                return;
            }
            CliEnv.Terminal terminal = env().terminal();
            if (terminal == null) {
                throw invalid("removing server " + name + " cannot be undone and there is no terminal to confirm on;"
                        + " pass --yes");
            }
            String answer = terminal.readLine("Remove server " + name + " from the grid for good? Its sessions end and"
                    + " its VMs and image copies are forgotten. [y/N] ");
            if (answer == null || !(answer.strip().equalsIgnoreCase("y") || answer.strip().equalsIgnoreCase("yes"))) {
                throw new CliFailure("not removed");
            }
        }

        @Override
        void run(ApiClient client) {
            client.delete(PATH + "/" + name);
            out().println("removed server " + name + "; stop its node process now");
        }
    }
}
