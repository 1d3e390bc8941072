package io.deskmesh.cli;

import picocli.CommandLine.Command;

import java.nio.file.Path;

/** {@code deskmesh logout}: revokes the API token at the node and forgets the saved login. */
@Command(name = "logout", description = "Revokes your API token at the node and removes the saved login.")
public final class LogoutCommand extends ApiCommand {

    @Override
    void run(ApiClient client) {
        Path file = env().credentialsFile();
        if (api.token() == null) {
            // An unreadable saved login (warned about) is removed all the same.
            out().println(Credentials.delete(file) ? "removed the saved login" : "not logged in");
            return;
        }
        CliFailure failure = null;
        try {
            client.post("/api/v1/auth/logout", null);
        } catch (ApiError e) {
            // 401: the token had already expired or been revoked, which is what logging out wants.
            if (e.status() != 401) {
                failure = e;
            }
        } catch (CliFailure e) {
            failure = e;
        }
        // Forget the token locally even when the node could not revoke it: the user asked to be logged out here.
        boolean removed = Credentials.delete(file);
        if (failure != null) {
            throw new CliFailure(failure.getMessage() + System.lineSeparator()
                    + (removed ? "removed the saved login, but the token" : "the token")
                    + " could not be revoked and stays valid until it expires");
        }
        out().println("logged out" + (removed ? "" : " (the token came from $" + CliEnv.TOKEN + "; nothing was saved)"));
    }
}
