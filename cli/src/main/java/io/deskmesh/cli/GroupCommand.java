package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code deskmesh group ...}: groups of users, to grant templates to many at once. */
@Command(name = "group", description = "Manages groups of users (templates can be granted to a group).",
        subcommands = {GroupCommand.ListAll.class, GroupCommand.Show.class, GroupCommand.Create.class,
                GroupCommand.Update.class, GroupCommand.Delete.class})
public final class GroupCommand extends CommandGroup {
    static final String PATH = "/api/v1/groups";

    @Command(name = "list", description = "Lists the groups.")
    static final class ListAll extends ApiCommand.Read {
        @Override
        void run(ApiClient client) {
            JsonNode answer = client.get(PATH);
            print(answer, () -> {
                TableWriter t = new TableWriter().column("NAME").column("MEMBERS", 70);
                for (JsonNode n : Json.items(answer, "groups")) {
                    t.row(Json.text(n, "name"), Json.text(n, "members"));
                }
                t.print(out(), "no groups");
            });
        }
    }

    @Command(name = "show", description = "Shows one group.")
    static final class Show extends ApiCommand.Read {
        @Parameters(paramLabel = "NAME", converter = Inputs.Name.class, description = "The group.")
        String name;

        @Override
        void run(ApiClient client) {
            JsonNode answer = client.get(PATH + "/" + name);
            print(answer, () -> printFields(out(), answer));
        }
    }

    @Command(name = "create", description = "Creates a group.")
    static final class Create extends ApiCommand {
        @Parameters(paramLabel = "NAME", converter = Inputs.Name.class, description = "The new group's name.")
        String name;

        @Option(names = "--member", paramLabel = "USER", converter = Inputs.UserName.class,
                description = "A member; repeat for more.")
        List<String> members = List.of();

        @Override
        void run(ApiClient client) {
            ObjectNode body = Json.object().put("name", name);
            body.set("members", UserCommand.array(members));
            client.post(PATH, body);
            out().println("created group " + name + " with " + members.size() + " member(s)");
        }
    }

    @Command(name = "update", description = {"Changes a group's members.",
            "--member gives the whole list (repeat it; --no-members empties it), or --add-member and --remove-member"
                    + " change the current one."})
    static final class Update extends ApiCommand {
        @Parameters(paramLabel = "NAME", converter = Inputs.Name.class, description = "The group.")
        String name;

        @Option(names = "--member", paramLabel = "USER", converter = Inputs.UserName.class,
                description = "The members from now on; repeat for more.")
        List<String> members;

        @Option(names = "--no-members", description = "Leave the group empty.")
        boolean noMembers;

        @Option(names = "--add-member", paramLabel = "USER", converter = Inputs.UserName.class,
                description = "Add a member; repeat for more.")
        List<String> add = List.of();

        @Option(names = "--remove-member", paramLabel = "USER", converter = Inputs.UserName.class,
                description = "Remove a member; repeat for more.")
        List<String> remove = List.of();

        @Override
        void validate() {
            boolean replace = members != null || noMembers;
            boolean change = !add.isEmpty() || !remove.isEmpty();
            if (members != null && noMembers) {
                throw invalid("give --member or --no-members, not both");
            }
            if (replace && change) {
                throw invalid("give either the whole list (--member/--no-members) or changes (--add-member/--remove-member)");
            }
            if (!replace && !change) {
                throw invalid("nothing to change: give --member, --no-members, --add-member or --remove-member");
            }
        }

        @Override
        void run(ApiClient client) {
            Set<String> next = new LinkedHashSet<>();
            if (members != null) {
                next.addAll(members);
            } else if (!noMembers) {
                client.get(PATH + "/" + name).path("members").forEach(m -> next.add(m.asText()));
                next.addAll(add);
                remove.forEach(next::remove);
            }
            ObjectNode body = Json.object().put("name", name);
            body.set("members", UserCommand.array(List.copyOf(next)));
            client.put(PATH + "/" + name, body);
            out().println("updated group " + name + ": " + (next.isEmpty() ? "no members" : String.join(", ", next)));
        }
    }

    @Command(name = "delete", description = "Deletes a group and its grants (its users stay).")
    static final class Delete extends ApiCommand {
        @Parameters(paramLabel = "NAME", converter = Inputs.Name.class, description = "The group.")
        String name;

        @Override
        void run(ApiClient client) {
            client.delete(PATH + "/" + name);
            out().println("deleted group " + name);
        }
    }
}
