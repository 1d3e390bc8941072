package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

import java.net.URI;

/** {@code deskmesh login}: logs in to a node with a password and saves the API token for later commands. */
@Command(name = "login",
        description = {"Logs in to a node and saves the API token for the other commands.",
                "The token is saved in ~/.config/deskmesh/credentials.json, readable by you only ($DESKMESH_CONFIG"
                        + " names another directory). The password is read from the terminal without echo, or from"
                        + " standard input with --password-stdin."})
public final class LoginCommand extends ApiCommand {
    @Option(names = "--user", paramLabel = "NAME", converter = Inputs.UserName.class,
            description = "Who logs in (default: asked on the terminal).")
    String user;

    @Option(names = "--password-stdin", description = "Read the password from standard input (for scripts).")
    boolean passwordStdin;

    /** No token: logging in as someone else must not depend on (or send) the one saved. */
    @Override
    ApiClient client() {
        return new ApiClient(api.node(), null);
    }

    @Override
    void run(ApiClient client) {
        URI node = client.base();
        String name = user != null ? user : askUser();
        String password = Passwords.read(spec, env(), passwordStdin, "password for " + name + " at " + node + ": ", false);
        JsonNode answer;
        try {
            answer = client.post("/api/v1/auth/login", Json.object().put("username", name).put("password", password));
        } catch (ApiError e) {
            // A 401 here means a wrong user name or password, not an expired session.
            throw e.status() == 401 ? new CliFailure("login failed: " + e.apiMessage()) : e;
        }
        String token = answer.path("token").asText("");
        if (token.isEmpty()) {
            throw new CliFailure(node + " accepted the login but sent no token; is it a DeskMesh node of this version?");
        }
        Credentials saved = new Credentials(node.toString(), token, answer.path("user").asText(name),
                answer.path("role").asText(""));
        saved.save(env().credentialsFile());
        out().println("logged in to " + node + " as " + saved.user()
                + (saved.role().isEmpty() ? "" : " (" + saved.role() + ")"));
    }

    private String askUser() {
        CliEnv.Terminal terminal = env().terminal();
        String name = terminal == null ? null : terminal.readLine("user: ");
        if (name == null || name.isBlank()) {
            throw invalid("give --user NAME" + (terminal == null ? " (there is no terminal to ask on)" : ""));
        }
        try {
            return new Inputs.UserName().convert(name.strip());
        } catch (TypeConversionException e) {
            throw invalid(e.getMessage());
        }
    }
}
