package io.deskmesh.model.command;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.plan.CapacityModel;
import io.deskmesh.model.record.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Generates records for VM commands. Reports from hosts are idempotent: reporting a state the VM is
 * already in generates nothing, so a reconciler may safely repeat itself after a crash. Stateless,
 * thread-safe.
 */
final class VmControl {
    static final int MAX_ALLOCATION = 1000;

    private VmControl() {
    }

    static CommandResult allocate(ClusterImage image, AllocateVmsCommand c, CommandContext ctx) {
        TemplateImage t = TemplateControl.template(image, c.template());
        Check.range("VM count", c.count(), 1, MAX_ALLOCATION);
        ServerImage s = ServerControl.server(image, c.server());
        if (!s.schedulable()) {
            throw new CommandException(ErrorCode.SERVER_UNAVAILABLE, "server '" + s.name() + "' is "
                    + s.state().name().toLowerCase() + (s.suspect() ? " (suspect)" : "") + " and takes no new VMs");
        }
        if (!image.images().hasLanded(t.imageRef(), s.name())) {
            throw Check.conflict("server '" + s.name() + "' does not hold base image " + t.imageRef()
                    + " of template '" + t.name() + "'; VMs go where the image is");
        }
        int slots = CapacityModel.slots(s.capacity(), image.vms().usage(s.name()), t.spec().cpus(), t.spec().memoryMb());
        if (slots < c.count()) {
            throw new CommandException(ErrorCode.CAPACITY, "server '" + s.name() + "' has room for " + slots + " more VM(s) of "
                    + t.spec().cpus() + " vCPU / " + t.spec().memoryMb() + " MiB, " + c.count() + " asked");
        }
        List<MeshRecord> out = new ArrayList<>(c.count());
        List<String> ids = new ArrayList<>(c.count());
        for (int k = 0; k < c.count(); k++) {
            String id = ctx.id(t.name(), k);
            if (image.vms().get(id).isPresent()) {
                // Ids are <template>-<index>-<seq>[-k] and template names may contain '-', so a
                // template 'a-z' allocated earlier can already hold this id; replay would refuse it.
                throw Check.conflict("VM id '" + id + "' is already taken by a VM of template '"
                        + image.vms().get(id).orElseThrow().template() + "'; submit the allocation again");
            }
            ids.add(id);
            out.add(new VmAllocatedRecord(id, t.name(), s.name(), t.spec().imageVersion(), t.spec().cpus(),
                    t.spec().memoryMb(), ctx.at()));
        }
        return new CommandResult(out, new Reply.Allocated(ids));
    }

    static CommandResult created(ClusterImage image, ReportVmCreatedCommand c, CommandContext ctx) {
        VmImage vm = vm(image, c.vmId());
        if (vm.state() != VmState.ALLOCATED) {
            return CommandResult.done(List.of());
        }
        return CommandResult.of(Reply.DONE, new VmCreatedRecord(vm.vmId(), c.mac() == null ? "" : c.mac(), ctx.at()));
    }

    static CommandResult started(ClusterImage image, ReportVmStartedCommand c, CommandContext ctx) {
        VmImage vm = vm(image, c.vmId());
        if (vm.state() != VmState.STOPPED) {
            return CommandResult.done(List.of());
        }
        return CommandResult.of(Reply.DONE, new VmStartedRecord(vm.vmId(), ctx.at()));
    }

    static CommandResult stopped(ClusterImage image, ReportVmStoppedCommand c, CommandContext ctx) {
        VmImage vm = vm(image, c.vmId());
        if (vm.state() != VmState.RUNNING) {
            return CommandResult.done(List.of());
        }
        return CommandResult.of(Reply.DONE, new VmStoppedRecord(vm.vmId(), ctx.at()));
    }

    static CommandResult regenerated(ClusterImage image, ReportVmRegeneratedCommand c, CommandContext ctx) {
        VmImage vm = vm(image, c.vmId());
        if (vm.sessionId() != null) {
            throw Check.conflict("VM '" + vm.vmId() + "' holds session '" + vm.sessionId() + "' and cannot be regenerated");
        }
        if (vm.state() == VmState.RETIRING || vm.state() == VmState.UNHEALTHY || vm.state() == VmState.ALLOCATED) {
            return CommandResult.done(List.of());
        }
        if (vm.state() == VmState.STOPPED && vm.imageVersion() == c.imageVersion()) {
            return CommandResult.done(List.of());
        }
        return CommandResult.of(Reply.DONE, new VmRegeneratedRecord(vm.vmId(), c.imageVersion(), ctx.at()));
    }

    static CommandResult deleted(ClusterImage image, ReportVmDeletedCommand c, CommandContext ctx) {
        VmImage vm = c.vmId() == null ? null : image.vms().get(c.vmId()).orElse(null);
        if (vm == null) {
            return CommandResult.done(List.of());
        }
        List<MeshRecord> out = new ArrayList<>(2);
        if (vm.sessionId() != null) {
            out.add(new SessionEndedRecord(vm.sessionId(), "desktop deleted", ctx.at()));
        }
        out.add(new VmDeletedRecord(vm.vmId(), ctx.at()));
        return CommandResult.done(out);
    }

    /** Marks a VM broken; a session on it ends (the user's next connect gets a working desktop). */
    static CommandResult unhealthy(ClusterImage image, MarkVmUnhealthyCommand c, CommandContext ctx) {
        VmImage vm = vm(image, c.vmId());
        if (vm.state() == VmState.UNHEALTHY || vm.state() == VmState.RETIRING) {
            return CommandResult.done(List.of());
        }
        List<MeshRecord> out = new ArrayList<>(2);
        if (vm.sessionId() != null) {
            out.add(new SessionEndedRecord(vm.sessionId(), "desktop failed" + (c.reason() == null ? "" : ": " + c.reason()),
                    ctx.at()));
        }
        out.add(new VmUnhealthyRecord(vm.vmId(), c.reason() == null ? "" : c.reason(), ctx.at()));
        return CommandResult.done(out);
    }

    static CommandResult retire(ClusterImage image, RetireVmCommand c, CommandContext ctx) {
        VmImage vm = vm(image, c.vmId());
        if (vm.state() == VmState.RETIRING) {
            return CommandResult.done(List.of());
        }
        if (vm.sessionId() != null) {
            throw Check.conflict("VM '" + vm.vmId() + "' holds session '" + vm.sessionId() + "'; it can be retired after log-off");
        }
        return CommandResult.of(Reply.DONE, new VmRetiredRecord(vm.vmId(), c.reason() == null ? "" : c.reason(), ctx.at()));
    }

    static VmImage vm(ClusterImage image, String id) {
        return (id == null ? Optional.<VmImage>empty() : image.vms().get(id))
                .orElseThrow(() -> Check.notFound("VM " + Check.quote(id) + " does not exist"));
    }
}
