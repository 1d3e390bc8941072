package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code deskmesh user ...}: local accounts. */
@Command(name = "user", description = "Manages user accounts: role, password and groups.",
        subcommands = {UserCommand.ListAll.class, UserCommand.Show.class, UserCommand.Create.class,
                UserCommand.Update.class, UserCommand.Delete.class})
public final class UserCommand extends CommandGroup {
    static final String PATH = "/api/v1/users";

    @Command(name = "list", description = "Lists the users.")
    static final class ListAll extends ApiCommand.Read {
        @Override
        void run(ApiClient client) {
            JsonNode answer = client.get(PATH);
            print(answer, () -> {
                TableWriter t = new TableWriter().column("NAME").column("ROLE").column("GROUPS", 60);
                for (JsonNode n : Json.items(answer, "users")) {
                    t.row(Json.text(n, "name"), Json.text(n, "role"), Json.text(n, "groups"));
                }
                t.print(out(), "no users");
            });
        }
    }

    @Command(name = "show", description = "Shows one user.")
    static final class Show extends ApiCommand.Read {
        @Parameters(paramLabel = "NAME", converter = Inputs.UserName.class, description = "The user.")
        String name;

        @Override
        void run(ApiClient client) {
            JsonNode answer = client.get(PATH + "/" + name);
            print(answer, () -> printFields(out(), answer));
        }
    }

    @Command(name = "create", description = {"Creates a user.",
            "The password is asked twice on the terminal, or read from standard input with --password-stdin."})
    static final class Create extends ApiCommand {
        @Parameters(paramLabel = "NAME", converter = Inputs.UserName.class, description = "The new user's name.")
        String name;

        @Option(names = "--role", paramLabel = "ROLE", defaultValue = "user", converter = Inputs.Role.class,
                description = "admin or user (default ${DEFAULT-VALUE}).")
        String role;

        @Option(names = "--group", paramLabel = "GROUP", converter = Inputs.Name.class,
                description = "A group to put the user in; repeat for more.")
        List<String> groups = List.of();

        @Option(names = "--password-stdin", description = "Read the password from standard input (for scripts).")
        boolean passwordStdin;

        @Override
        void run(ApiClient client) {
            String password = Passwords.read(spec, env(), passwordStdin, "password for " + name + ": ", true);
            ObjectNode body = Json.object().put("name", name).put("password", password).put("role", role);
            body.set("groups", array(groups));
            client.post(PATH, body);
            out().println("created user " + name + " (" + role + ")");
        }
    }

    @Command(name = "update", description = {"Changes a user.",
            "Only the options given change; --group replaces the user's groups. A new password is asked on the"
                    + " terminal (--ask-password) or read from standard input (--password-stdin)."})
    static final class Update extends ApiCommand {
        @Parameters(paramLabel = "NAME", converter = Inputs.UserName.class, description = "The user.")
        String name;

        @Option(names = "--role", paramLabel = "ROLE", converter = Inputs.Role.class, description = "admin or user.")
        String role;

        @Option(names = "--group", paramLabel = "GROUP", converter = Inputs.Name.class,
                description = "The user's groups from now on; repeat for more.")
        List<String> groups;

        @Option(names = "--ask-password", description = "Ask for a new password on the terminal (twice).")
        boolean passwordPrompt;

        @Option(names = "--password-stdin", description = "Read a new password from standard input.")
        boolean passwordStdin;

        @Override
        void validate() {
            if (passwordPrompt && passwordStdin) {
                throw invalid("give --ask-password or --password-stdin, not both");
            }
            if (role == null && groups == null && !passwordPrompt && !passwordStdin) {
                throw invalid("nothing to change: give --role, --group, --ask-password or --password-stdin");
            }
        }

        @Override
        void run(ApiClient client) {
            String password = passwordPrompt || passwordStdin
                    ? Passwords.read(spec, env(), passwordStdin, "new password for " + name + ": ", true) : null;
            JsonNode current = client.get(PATH + "/" + name);
            ObjectNode body = Json.object().put("name", name);
            // Carry the unchanged fields over, in case the API's PUT replaces the whole account.
            keep(body, "role", role != null ? TextNode.valueOf(role) : current.get("role"));
            keep(body, "groups", groups != null ? array(groups) : current.get("groups"));
            if (password != null) {
                body.put("password", password);
            }
            JsonNode answer = client.put(PATH + "/" + name, body);
            out().println("updated user " + name);
            keepSession(answer.path("session"));
        }

        /**
         * Your own new password ended the token this command used; the node sent a new one, kept where
         * the saved login was (a token from the environment cannot be replaced: say so).
         */
        private void keepSession(JsonNode session) {
            String token = session.path("token").asText("");
            if (token.isEmpty()) {
                return;
            }
            Credentials saved = api.saved().orElse(null);
            if (env().variable(CliEnv.TOKEN) == null && saved != null && saved.user().equals(name)) {
                new Credentials(saved.node(), token, saved.user(), session.path("role").asText(saved.role()))
                        .save(env().credentialsFile());
                out().println("your saved login now uses the new token the node sent (the old one stopped working)");
            } else {
                out().println("your password changed and your old tokens stopped working: log in again"
                        + " (deskmesh login) where you used them");
            }
        }
    }

    @Command(name = "delete", description = "Deletes a user and logs off their sessions (the last admin cannot go).")
    static final class Delete extends ApiCommand {
        @Parameters(paramLabel = "NAME", converter = Inputs.UserName.class, description = "The user.")
        String name;

        @Override
        void run(ApiClient client) {
            client.delete(PATH + "/" + name);
            out().println("deleted user " + name);
        }
    }

    private static void keep(ObjectNode body, String field, JsonNode value) {
        if (value != null && !value.isNull()) {
            body.set(field, value);
        }
    }

    static ArrayNode array(List<String> values) {
        ArrayNode a = Json.MAPPER.createArrayNode();
        values.forEach(a::add);
        return a;
    }
}
