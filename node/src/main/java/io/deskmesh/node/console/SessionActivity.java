package io.deskmesh.node.console;

import io.deskmesh.model.command.ConnectSessionCommand;
import io.deskmesh.model.command.DisconnectSessionCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Tells the grid what consoles show about sessions: a console attached, or its user was active
 * ({@code ConnectSessionCommand}: the session is connected and, at most once a minute, its last
 * activity moves, which is what the session janitor's idle timeout counts from), or the last
 * console on this node detached ({@code DisconnectSessionCommand}: the disconnect timeout starts).
 * Fire and forget: a console works whether or not the write commits (a node without a majority
 * keeps serving the desktops it has), so failures are only logged. Thread-safe.
 */
final class SessionActivity {
    private static final Logger LOG = LoggerFactory.getLogger(SessionActivity.class);

    private final Function<List<MeshCommand>, CompletableFuture<List<Reply>>> submit;

    SessionActivity(Function<List<MeshCommand>, CompletableFuture<List<Reply>>> submit) {
        this.submit = submit;
    }

    void attached(String sessionId) {
        send(new ConnectSessionCommand(sessionId), "attached");
    }

    void active(String sessionId) {
        send(new ConnectSessionCommand(sessionId), "active");
    }

    void detached(String sessionId) {
        send(new DisconnectSessionCommand(sessionId), "detached");
    }

    private void send(MeshCommand command, String what) {
        try {
            submit.apply(List.of(command)).whenComplete((replies, e) -> {
                if (e != null) {
                    LOG.info("recording that the console of session {} {} was not committed: {}", sessionIdOf(command),
                            what, e.toString());
                } else if (replies.get(0) instanceof Reply.Failed f) {
                    LOG.debug("recording that the console of session {} {} was refused: {}", sessionIdOf(command), what,
                            f.message());
                }
            });
        } catch (RuntimeException e) {
            LOG.info("recording that the console of session {} {} failed: {}", sessionIdOf(command), what, e.toString());
        }
    }

    private static String sessionIdOf(MeshCommand c) {
        return c instanceof ConnectSessionCommand cc ? cc.sessionId()
                : c instanceof DisconnectSessionCommand dc ? dc.sessionId() : "?";
    }
}
