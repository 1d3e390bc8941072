package io.deskmesh.node.api;

import io.deskmesh.model.command.CommandProcessor;
import io.deskmesh.model.command.CommandType;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.RecordAuditCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The API's write path: every admin change goes to the log together with its audit event, in one
 * entry, so the grid never has a change without its record of who made it. Thread-safe.
 *
 * <p>A change is first applied to a copy of this node's image. If that refuses it, the caller gets
 * the refusal at once, only the refusal is audited, and nothing else reaches the log; a command that
 * would make the model throw (a bug) never reaches the log, where it would stop every node. If the
 * dry run passes, the commands and an audit event marked successful are submitted together; should
 * the grid still refuse them when applying (another node changed the same thing meanwhile), a second
 * event records that.
 */
public final class AuditedWrites {
    private static final Logger LOG = LoggerFactory.getLogger(AuditedWrites.class);
    private final ApiContext context;

    public AuditedWrites(ApiContext context) {
        this.context = context;
    }

    /** One admin change, for the audit trail: who, what, on what, and a short description (never a password). */
    public record Change(Principal by, String action, String target, String detail) {
    }

    /**
     * Submits the commands with the change's audit event as one log entry; completes with the
     * commands' replies once this node applied them, or with the {@link ApiException} of the first
     * refusal.
     */
    public CompletableFuture<List<Reply>> submit(Change change, List<MeshCommand> commands) {
        Reply.Failed predicted = dryRun(commands);
        if (predicted != null) {
            record(change.by().user(), change.action(), change.target(), change.by().from(), false, predicted.message());
            return CompletableFuture.failedFuture(Responses.refused(predicted));
        }
        List<MeshCommand> entry = new ArrayList<>(commands);
        entry.add(new RecordAuditCommand(change.by().user(), change.action(), change.target(), change.by().from(), true,
                change.detail()));
        return context.submit().apply(entry).thenApply(replies -> {
            List<Reply> mine = replies.subList(0, commands.size());
            for (Reply r : mine) {
                if (r instanceof Reply.Failed f) {
                    record(change.by().user(), change.action(), change.target(), change.by().from(), false,
                            "refused when applied: " + f.message());
                    throw Responses.refused(f);
                }
            }
            return List.copyOf(mine);
        });
    }

    /** Submits one audit event on its own; the submitter batches concurrent ones into shared log entries. */
    public CompletableFuture<Void> record(String actor, String action, String target, String from, boolean ok,
                                         String detail) {
        CompletableFuture<List<Reply>> done = context.submit().apply(List.of(
                new RecordAuditCommand(actor, action, target, from, ok, detail)));
        return done.whenComplete((r, e) -> {
            if (e != null) {
                LOG.warn("audit event '{}' by '{}' was not recorded: {}", action, actor, Responses.unwrap(e).getMessage());
            }
        }).thenApply(r -> null);
    }

    /** The first refusal the commands meet on this node's image, or null when it accepts them all. */
    private Reply.Failed dryRun(List<MeshCommand> commands) {
        ClusterImage image = context.image().get();
        long at = Math.max(image.at(), context.clock().getAsLong());
        List<Reply> replies;
        try {
            replies = CommandProcessor.apply(image, image.index() + 1, at, commands).replies();
        } catch (RuntimeException e) {
            LOG.error("the model threw on {}; refusing it", commands.stream().map(CommandType::of).toList(), e);
            throw new ApiException(500, "INTERNAL", "the grid cannot apply this change (" + e.getClass().getSimpleName()
                    + "); nothing was changed");
        }
        for (Reply r : replies) {
            if (r instanceof Reply.Failed f) {
                return f;
            }
        }
        return null;
    }
}
