package io.deskmesh.node.api.broker;

import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.node.api.ApiContext;
import io.deskmesh.node.api.ApiException;
import io.deskmesh.raft.CommandSubmitException;
import io.deskmesh.raft.NoQuorumException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The broker's writes: submits commands as one log entry and waits for their replies, turning a grid
 * that cannot commit into a clear 503. On the minority side of a partition (no majority) a write
 * fails with {@link NoQuorumException} after the Raft write deadline; the broker never guesses, so a
 * reservation there is refused rather than risking a VM given twice. Stateless apart from its
 * context, thread-safe.
 */
final class GridWrites {
    private static final Logger LOG = LoggerFactory.getLogger(GridWrites.class);
    /** A safety net beyond the Raft write deadline, which normally answers first. */
    static final long WAIT_SECONDS = 30;

    private final ApiContext ctx;

    GridWrites(ApiContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Submits the commands together; returns their replies. {@code refused} completes the 503
     * message: "the grid has no majority right now; {refused} — try again shortly".
     */
    List<Reply> submit(List<MeshCommand> commands, String refused) {
        try {
            return ctx.submit().apply(commands).get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw noMajority(refused);
        } catch (TimeoutException e) {
            throw notCommitted(e, refused);
        } catch (ExecutionException e) {
            throw notCommitted(e.getCause(), refused);
        } catch (CompletionException e) {
            throw notCommitted(e.getCause(), refused);
        } catch (IllegalStateException e) {
            // The write never left this node: its Raft server is closing.
            throw notCommitted(e, refused);
        }
    }

    private static RuntimeException notCommitted(Throwable cause, String refused) {
        if (cause instanceof NoQuorumException || cause instanceof CommandSubmitException
                || cause instanceof TimeoutException || cause instanceof IllegalStateException) {
            LOG.info("a broker write was not committed: {}", cause.getMessage());
            return noMajority(refused);
        }
        return new IllegalStateException("the grid failed the write: " + cause, cause);
    }

    /** Submits one command and returns its reply. */
    Reply submit(MeshCommand command, String refused) {
        return submit(List.of(command), refused).get(0);
    }

    static ApiException noMajority(String refused) {
        return new ApiException(503, "NO_MAJORITY", "the grid has no majority right now; " + refused
                + " — try again shortly");
    }

    /** The API error for a command the grid refused. */
    static ApiException refusal(Reply.Failed f) {
        int status = switch (f.code()) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case NOT_ENTITLED -> 403;
            case NO_DESKTOP -> 503;
            case CONFLICT, CAPACITY, SERVER_UNAVAILABLE -> 409;
        };
        return new ApiException(status, f.code().name(), f.message());
    }
}
