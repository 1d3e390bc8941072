package io.deskmesh.model.command;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.plan.Candidate;
import io.deskmesh.model.plan.ConnectionRouter;
import io.deskmesh.model.plan.Route;
import io.deskmesh.model.record.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Generates records for sessions. Reservation runs the connection router at apply time on the image
 * that already contains every earlier command, so two logins racing for the last desktop are
 * decided by log order: one VM is never held by two sessions, one user holds one session per
 * template. Stateless, thread-safe.
 */
final class SessionControl {
    /**
     * A connect on a connected session older than this records it again, which moves the session's
     * {@code since} (its last activity, for idle timeouts) without a log write per keep-alive.
     */
    static final long ACTIVITY_REFRESH_MS = 60_000;

    private SessionControl() {
    }

    static CommandResult reserve(ClusterImage image, ReserveDesktopCommand c, CommandContext ctx) {
        AccountControl.user(image, c.user());
        TemplateImage t = TemplateControl.template(image, c.template());
        if (!image.accounts().entitled(c.user(), c.template())) {
            throw new CommandException(ErrorCode.NOT_ENTITLED, "user '" + c.user() + "' may not use template '"
                    + c.template() + "'; an admin can grant it");
        }
        List<MeshRecord> out = new ArrayList<>();
        SessionImage existing = image.sessions().ofUser(c.user(), c.template()).orElse(null);
        if (existing != null) {
            ServerImage host = image.servers().get(existing.server()).orElse(null);
            if (host != null && !host.missing() && !c.excludeServers().contains(host.name())) {
                return CommandResult.of(new Reply.Reserved(existing.id(), existing.vmId(), existing.server(), true));
            }
            out.addAll(endRecords(image, existing, "host '" + existing.server() + "' unreachable", ctx, false));
        }
        Set<String> exclude = new TreeSet<>(c.excludeServers());
        Route route = ConnectionRouter.route(image, c.user(), c.template(), exclude);
        if (route.isEmpty()) {
            out.add(new DemandUnmetRecord(c.template(), c.user(), ctx.at()));
            return new CommandResult(out, new Reply.Failed(ErrorCode.NO_DESKTOP, route.whyEmpty()));
        }
        Candidate best = route.candidates().get(0);
        VmImage vm = image.vms().get(best.vmId()).orElseThrow();
        String sessionId = ctx.id("s", 0);
        out.add(new SessionReservedRecord(sessionId, c.user(), t.name(), vm.vmId(), vm.server(), ctx.at()));
        if (t.spec().pool() == PoolKind.PERSISTENT && vm.owner() == null) {
            out.add(new VmOwnerAssignedRecord(vm.vmId(), c.user(), ctx.at()));
        }
        return new CommandResult(out, new Reply.Reserved(sessionId, vm.vmId(), vm.server(), false));
    }

    static CommandResult connect(ClusterImage image, ConnectSessionCommand c, CommandContext ctx) {
        SessionImage s = session(image, c.sessionId());
        if (s.state() == SessionState.CONNECTED && ctx.at() - s.since() < ACTIVITY_REFRESH_MS) {
            return CommandResult.done(List.of());
        }
        return CommandResult.of(Reply.DONE, new SessionConnectedRecord(s.id(), ctx.at()));
    }

    static CommandResult disconnect(ClusterImage image, DisconnectSessionCommand c, CommandContext ctx) {
        SessionImage s = session(image, c.sessionId());
        if (s.state() == SessionState.DISCONNECTED) {
            return CommandResult.done(List.of());
        }
        return CommandResult.of(Reply.DONE, new SessionDisconnectedRecord(s.id(), ctx.at()));
    }

    static CommandResult end(ClusterImage image, EndSessionCommand c, CommandContext ctx) {
        SessionImage s = session(image, c.sessionId());
        return CommandResult.done(endRecords(image, s, c.reason() == null ? "logged off" : c.reason(), ctx, false));
    }

    static CommandResult expire(ClusterImage image, ExpireSessionCommand c, CommandContext ctx) {
        SessionImage s = c.sessionId() == null ? null : image.sessions().get(c.sessionId()).orElse(null);
        if (s == null) {
            return CommandResult.done(List.of());
        }
        return CommandResult.done(endRecords(image, s, c.reason() == null ? "timed out" : c.reason(), ctx, true));
    }

    /** The records that end a session: its end, then a dirty mark on a non-persistent VM. */
    static List<MeshRecord> endRecords(ClusterImage image, SessionImage s, String reason, CommandContext ctx, boolean expired) {
        List<MeshRecord> out = new ArrayList<>(2);
        out.add(expired ? new SessionExpiredRecord(s.id(), reason, ctx.at()) : new SessionEndedRecord(s.id(), reason, ctx.at()));
        VmImage vm = image.vms().get(s.vmId()).orElse(null);
        TemplateImage t = image.templates().get(s.template()).orElse(null);
        boolean persistent = t != null && t.spec().pool() == PoolKind.PERSISTENT;
        if (vm != null && !persistent && (vm.state() == VmState.RUNNING || vm.state() == VmState.STOPPED)) {
            out.add(new VmDirtyRecord(vm.vmId(), ctx.at()));
        }
        return out;
    }

    private static SessionImage session(ClusterImage image, String id) {
        return (id == null ? Optional.<SessionImage>empty() : image.sessions().get(id))
                .orElseThrow(() -> Check.notFound("session " + Check.quote(id) + " does not exist or has ended"));
    }
}
