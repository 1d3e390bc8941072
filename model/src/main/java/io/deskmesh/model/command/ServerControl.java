package io.deskmesh.model.command;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Generates records for grid and server commands. Stateless, thread-safe. */
final class ServerControl {
    private ServerControl() {
    }

    static CommandResult createGrid(ClusterImage image, CreateGridCommand c, CommandContext ctx) {
        Check.notBlank("grid id", c.gridId());
        if (image.grid().exists()) {
            throw Check.conflict("this grid already exists as '" + image.grid().gridId() + "'");
        }
        return CommandResult.of(new Reply.Created(c.gridId()), new GridCreatedRecord(c.gridId(), ctx.at()));
    }

    static CommandResult join(ClusterImage image, JoinServerCommand c, CommandContext ctx) {
        Check.name("server", c.name());
        Check.notBlank("server address", c.address());
        capacity(c.capacity());
        if (image.servers().contains(c.name())) {
            throw Check.conflict("server '" + c.name() + "' is already a member of the grid; a returning server rejoins"
                    + " by itself, a new one needs another name");
        }
        String site = c.site() == null ? "" : c.site();
        return CommandResult.of(Reply.DONE, new ServerJoinedRecord(c.name(), site, c.address(), c.capacity(), ctx.at()));
    }

    static CommandResult reportCapacity(ClusterImage image, ReportCapacityCommand c, CommandContext ctx) {
        ServerImage s = server(image, c.name());
        capacity(c.capacity());
        if (s.capacity().equals(c.capacity())) {
            return CommandResult.done(List.of());
        }
        return CommandResult.of(Reply.DONE, new ServerCapacityReportedRecord(c.name(), c.capacity(), ctx.at()));
    }

    static CommandResult drain(ClusterImage image, DrainServerCommand c, CommandContext ctx) {
        ServerImage s = server(image, c.name());
        return s.draining() ? CommandResult.done(List.of())
                : CommandResult.of(Reply.DONE, new ServerDrainedRecord(c.name(), ctx.at()));
    }

    static CommandResult resume(ClusterImage image, ResumeServerCommand c, CommandContext ctx) {
        ServerImage s = server(image, c.name());
        return !s.draining() ? CommandResult.done(List.of())
                : CommandResult.of(Reply.DONE, new ServerResumedRecord(c.name(), ctx.at()));
    }

    static CommandResult markMissing(ClusterImage image, MarkServerMissingCommand c, CommandContext ctx) {
        ServerImage s = server(image, c.name());
        return s.missing() ? CommandResult.done(List.of())
                : CommandResult.of(Reply.DONE, new ServerMissingRecord(c.name(), c.reason(), ctx.at()));
    }

    static CommandResult rejoin(ClusterImage image, RejoinServerCommand c, CommandContext ctx) {
        ServerImage s = server(image, c.name());
        boolean moved = c.address() != null && !c.address().isBlank() && !c.address().equals(s.address());
        if (!s.missing() && !s.suspect() && !moved) {
            return CommandResult.done(List.of());
        }
        return CommandResult.of(Reply.DONE, new ServerRejoinedRecord(c.name(), moved ? c.address() : s.address(), ctx.at()));
    }

    static CommandResult suspect(ClusterImage image, SuspectServerCommand c, CommandContext ctx) {
        ServerImage s = server(image, c.name());
        if (s.suspect() || s.missing()) {
            return CommandResult.done(List.of());
        }
        return CommandResult.of(Reply.DONE, new ServerSuspectedRecord(c.name(), c.reportedBy(), c.reason(), ctx.at()));
    }

    /** Ends every session on the server, deletes its VMs and drops its replicas, then removes it. */
    static CommandResult remove(ClusterImage image, RemoveServerCommand c, CommandContext ctx) {
        server(image, c.name());
        List<MeshRecord> out = new ArrayList<>();
        for (SessionImage s : image.sessions().all()) {
            if (s.server().equals(c.name())) {
                out.add(new SessionEndedRecord(s.id(), "server '" + c.name() + "' was removed", ctx.at()));
            }
        }
        for (VmImage vm : image.vms().all()) {
            if (vm.server().equals(c.name())) {
                out.add(new VmDeletedRecord(vm.vmId(), ctx.at()));
            }
        }
        for (ImageRef ref : image.images().onServer(c.name()).keySet()) {
            out.add(new ReplicaRemovedRecord(ref.image(), ref.version(), c.name(), ctx.at()));
        }
        out.add(new ServerRemovedRecord(c.name(), ctx.at()));
        return CommandResult.done(out);
    }

    static ServerImage server(ClusterImage image, String name) {
        // A null name is answered like an unknown one: the persistent maps throw on null keys.
        return (name == null ? Optional.<ServerImage>empty() : image.servers().get(name))
                .orElseThrow(() -> Check.notFound("server " + Check.quote(name)
                        + " is not a member of the grid; 'deskmesh server list' shows the members"));
    }

    private static void capacity(Capacity c) {
        if (c == null) {
            throw Check.invalid("server capacity is missing");
        }
        Check.range("server cpus", c.cpus(), 1, 4096);
        Check.range("server memoryMb", c.memoryMb(), 256, 64L * 1024 * 1024);
    }
}
