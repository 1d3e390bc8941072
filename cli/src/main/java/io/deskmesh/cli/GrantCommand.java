package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code deskmesh grant ...}: who may use which template. */
@Command(name = "grant", description = "Manages grants: which users and groups may use which template.",
        subcommands = {GrantCommand.ListAll.class, GrantCommand.Create.class, GrantCommand.Delete.class})
public final class GrantCommand extends CommandGroup {
    static final String PATH = "/api/v1/grants";

    @Command(name = "list", description = "Lists the grants.")
    static final class ListAll extends ApiCommand.Read {
        @Override
        void run(ApiClient client) {
            JsonNode answer = client.get(PATH);
            print(answer, () -> {
                TableWriter t = new TableWriter().column("ID").column("TEMPLATE").column("USER").column("GROUP");
                for (JsonNode n : Json.items(answer, "grants")) {
                    t.row(Json.text(n, "id"), Json.text(n, "template"), Json.text(n, "user"), Json.text(n, "group"));
                }
                t.print(out(), "no grants");
            });
        }
    }

    /** Exactly one of --user and --group. */
    static final class Grantee {
        @Option(names = "--user", paramLabel = "USER", converter = Inputs.UserName.class, required = true,
                description = "The user who may use the template.")
        String user;

        @Option(names = "--group", paramLabel = "GROUP", converter = Inputs.Name.class, required = true,
                description = "The group whose members may use the template.")
        String group;
    }

    @Command(name = "create", description = "Lets a user, or every member of a group, use a template.")
    static final class Create extends ApiCommand {
        @Option(names = "--template", paramLabel = "TEMPLATE", converter = Inputs.Name.class, required = true,
                description = "The template.")
        String template;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Grantee to;

        @Mixin
        OutputOptions output;

        @Override
        void run(ApiClient client) {
            ObjectNode body = Json.object().put("template", template);
            if (to.user != null) {
                body.put("user", to.user);
            } else {
                body.put("group", to.group);
            }
            JsonNode answer = client.post(PATH, body);
            if (output.json()) {
                out().println(Json.pretty(answer));
                return;
            }
            String id = Json.text(answer, "id");
            out().println("granted template " + template + " to " + (to.user != null ? "user " + to.user : "group " + to.group)
                    + (id.equals(Json.NONE) ? "" : " (grant " + id + ")"));
        }
    }

    @Command(name = "delete", description = "Revokes a grant (see 'deskmesh grant list' for the ids).")
    static final class Delete extends ApiCommand {
        @Parameters(paramLabel = "ID", converter = Inputs.Id.class, description = "The grant's id.")
        String id;

        @Override
        void run(ApiClient client) {
            client.delete(PATH + "/" + ApiClient.segment(id));
            out().println("deleted grant " + id);
        }
    }
}
