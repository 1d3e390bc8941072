package io.deskmesh.model.command;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ReplicaImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.plan.CapacityModel;
import io.deskmesh.model.record.*;

import java.util.ArrayList;
import java.util.List;

/** Generates records for base image and replica commands. Stateless, thread-safe. */
final class ImageControl {
    private ImageControl() {
    }

    /** Registers a version held by one server, and points templates still waiting for this image at it. */
    static CommandResult register(ClusterImage image, RegisterImageVersionCommand c, CommandContext ctx) {
        Check.name("base image", c.image());
        Check.range("image version", c.version(), 1, Integer.MAX_VALUE);
        Check.range("image size in bytes", c.sizeBytes(), 1, Long.MAX_VALUE);
        Check.sha256(c.sha256());
        ImageRef ref = new ImageRef(c.image(), c.version());
        if (image.images().version(ref).isPresent()) {
            throw Check.conflict("base image " + ref + " is already registered; register the next version instead");
        }
        if (c.parentVersion() != 0 && image.images().version(new ImageRef(c.image(), c.parentVersion())).isEmpty()) {
            throw Check.notFound("parent version " + c.parentVersion() + " of base image '" + c.image() + "' is not registered");
        }
        ServerImage holder = ServerControl.server(image, c.server());
        if (holder.missing()) {
            throw new CommandException(ErrorCode.SERVER_UNAVAILABLE, "server '" + c.server() + "' is missing; register the"
                    + " image on a live server");
        }
        List<MeshRecord> out = new ArrayList<>();
        out.add(new ImageVersionRegisteredRecord(c.image(), c.version(), c.sizeBytes(), c.sha256(), c.parentVersion(), ctx.at()));
        out.add(new ReplicaLandedRecord(c.image(), c.version(), c.server(), ctx.at()));
        for (TemplateImage t : image.templates().all()) {
            if (t.spec().baseImage().equals(c.image()) && t.spec().imageVersion() == 0) {
                out.add(new TemplateUpdatedRecord(t.spec().withImageVersion(c.version()), ctx.at()));
            }
        }
        return CommandResult.of(new Reply.Created(ref.toString()), out.toArray(MeshRecord[]::new));
    }

    static CommandResult startTransfer(ClusterImage image, StartReplicaTransferCommand c, CommandContext ctx) {
        ImageRef ref = version(image, c.image(), c.version());
        ServerImage target = ServerControl.server(image, c.server());
        ServerImage source = ServerControl.server(image, c.source());
        if (!target.schedulable()) {
            throw new CommandException(ErrorCode.SERVER_UNAVAILABLE, "server '" + c.server() + "' is " + target.state()
                    .name().toLowerCase() + (target.suspect() ? " (suspect)" : "") + " and takes no new images");
        }
        if (!source.live() || source.draining() || source.suspect() || !image.images().hasLanded(ref, c.source())) {
            throw new CommandException(ErrorCode.SERVER_UNAVAILABLE, "server '" + c.source() + "' cannot serve " + ref
                    + ": it must be live, not draining or suspect, and hold the image complete");
        }
        if (image.images().replicas(ref).containsKey(c.server())) {
            throw Check.conflict("server '" + c.server() + "' already holds or is fetching " + ref);
        }
        long size = image.images().version(ref).orElseThrow().sizeBytes();
        long free = CapacityModel.diskBytes(target.capacity()) - image.images().bytesOn(c.server());
        if (size > free) {
            throw new CommandException(ErrorCode.CAPACITY, "server '" + c.server() + "' has " + free + " bytes of disk free for"
                    + " images, " + ref + " needs " + size);
        }
        return CommandResult.of(Reply.DONE, new ReplicaTransferStartedRecord(c.image(), c.version(), c.server(), c.source(), ctx.at()));
    }

    static CommandResult land(ClusterImage image, LandReplicaCommand c, CommandContext ctx) {
        ImageRef ref = version(image, c.image(), c.version());
        ServerControl.server(image, c.server());
        if (image.images().hasLanded(ref, c.server())) {
            return CommandResult.done(List.of());
        }
        return CommandResult.of(Reply.DONE, new ReplicaLandedRecord(c.image(), c.version(), c.server(), ctx.at()));
    }

    static CommandResult fail(ClusterImage image, FailReplicaTransferCommand c, CommandContext ctx) {
        ImageRef ref = version(image, c.image(), c.version());
        ServerControl.server(image, c.server());
        if (image.images().hasLanded(ref, c.server())) {
            return CommandResult.done(List.of());
        }
        return CommandResult.of(Reply.DONE, new ReplicaTransferFailedRecord(c.image(), c.version(), c.server(),
                c.reason() == null ? "" : c.reason(), ctx.at()));
    }

    static CommandResult removeReplica(ClusterImage image, RemoveReplicaCommand c, CommandContext ctx) {
        ImageRef ref = version(image, c.image(), c.version());
        ReplicaImage r = c.server() == null ? null : image.images().replicas(ref).get(c.server());
        if (r == null) {
            return CommandResult.done(List.of());
        }
        for (TemplateImage t : image.templates().all()) {
            // Every template of this base image, not only those on this version: VMs keep the version
            // they were built from until they regenerate.
            if (t.spec().baseImage().equals(ref.image())) {
                for (String id : image.vms().on(t.name(), c.server())) {
                    VmImage vm = image.vms().get(id).orElseThrow();
                    if (vm.imageVersion() == ref.version()) {
                        throw Check.conflict("VM '" + id + "' on server '" + c.server() + "' uses " + ref
                                + "; the replica is removed once no VM there uses it");
                    }
                }
            }
        }
        return CommandResult.of(Reply.DONE, new ReplicaRemovedRecord(c.image(), c.version(), c.server(), ctx.at()));
    }

    static CommandResult removeVersion(ClusterImage image, RemoveImageVersionCommand c, CommandContext ctx) {
        ImageRef ref = version(image, c.image(), c.version());
        for (TemplateImage t : image.templates().all()) {
            if (t.imageRef().equals(ref)) {
                throw Check.conflict("template '" + t.name() + "' uses " + ref + "; move it to another version first");
            }
        }
        for (VmImage vm : image.vms().all()) {
            TemplateImage t = image.templates().get(vm.template()).orElse(null);
            if (t != null && t.spec().baseImage().equals(c.image()) && vm.imageVersion() == c.version()) {
                throw Check.conflict("VM '" + vm.vmId() + "' still uses " + ref + "; it is removed once the VM regenerates");
            }
        }
        List<MeshRecord> out = new ArrayList<>();
        for (String server : image.images().replicas(ref).keySet()) {
            out.add(new ReplicaRemovedRecord(c.image(), c.version(), server, ctx.at()));
        }
        out.add(new ImageVersionRemovedRecord(c.image(), c.version(), ctx.at()));
        return CommandResult.done(out);
    }

    private static ImageRef version(ClusterImage image, String name, int version) {
        ImageRef ref = new ImageRef(name == null ? "" : name, version);
        if (image.images().version(ref).isEmpty()) {
            throw Check.notFound("base image version " + ref + " is not registered; 'deskmesh image list' shows them");
        }
        return ref;
    }
}
