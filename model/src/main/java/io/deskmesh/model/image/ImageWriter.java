package io.deskmesh.model.image;

import io.deskmesh.model.record.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link ClusterImage} out as the records that rebuild it exactly (a snapshot). The order
 * matters: what others refer to comes first (servers and image versions before replicas and VMs,
 * VMs before the sessions that hold them), and every entity's last record carries its
 * {@code since} time so replay restores it. Stateless, thread-safe.
 */
final class ImageWriter {
    private ImageWriter() {
    }

    static List<MeshRecord> write(ClusterImage image) {
        List<MeshRecord> out = new ArrayList<>(image.vms().size() * 3 + image.servers().size() * 2 + 64);
        if (image.grid().exists()) {
            out.add(new GridCreatedRecord(image.grid().gridId(), image.grid().createdAt()));
        }
        writeServers(image.servers(), out);
        writeImages(image.images(), out);
        writeTemplates(image.templates(), out);
        writeAccounts(image.accounts(), out);
        writeVmsAndSessions(image.vms(), image.sessions(), out);
        for (Map.Entry<String, PoolDemand> e : image.sessions().demand().entrySet()) {
            PoolDemand d = e.getValue();
            out.add(new PoolDemandObservedRecord(e.getKey(), d.peakSessions(), d.unmetLogins(), d.lastUnmetAt()));
        }
        out.addAll(image.audit().events());
        for (Map.Entry<String, Long> e : image.audit().revokedTokens().entrySet()) {
            out.add(new TokenRevokedRecord(e.getKey(), e.getValue(), 0));
        }
        return out;
    }

    private static void writeServers(ServersImage servers, List<MeshRecord> out) {
        for (ServerImage s : servers.all()) {
            out.add(new ServerJoinedRecord(s.name(), s.site(), s.address(), s.capacity(), s.joinedAt()));
            if (s.draining()) {
                out.add(new ServerDrainedRecord(s.name(), s.since()));
            }
            if (s.missing()) {
                out.add(new ServerMissingRecord(s.name(), "", s.since()));
            }
            if (s.suspect()) {
                out.add(new ServerSuspectedRecord(s.name(), "", "", s.since()));
            }
            if (s.since() != s.joinedAt() && !s.draining() && !s.missing() && !s.suspect()) {
                out.add(new ServerRejoinedRecord(s.name(), s.address(), s.since()));
            }
        }
    }

    private static void writeImages(BaseImagesImage images, List<MeshRecord> out) {
        for (ImageVersionImage v : images.versions()) {
            ImageRef ref = v.ref();
            out.add(new ImageVersionRegisteredRecord(ref.image(), ref.version(), v.sizeBytes(), v.sha256(),
                    v.parentVersion(), v.registeredAt()));
            // Landed copies first (landing clears a failure), then failures, then transfers in flight
            // (a failure removes an in-flight copy), so every combination survives the round trip.
            for (ReplicaImage r : images.replicas(ref).values()) {
                if (r.landed()) {
                    out.add(new ReplicaLandedRecord(ref.image(), ref.version(), r.server(), r.since()));
                }
            }
            for (Map.Entry<String, TransferFailure> f : images.failures(ref).entrySet()) {
                out.add(new ReplicaTransferFailedRecord(ref.image(), ref.version(), f.getKey(), f.getValue().reason(),
                        f.getValue().at()));
            }
            for (ReplicaImage r : images.replicas(ref).values()) {
                if (!r.landed()) {
                    out.add(new ReplicaTransferStartedRecord(ref.image(), ref.version(), r.server(), r.source(), r.since()));
                }
            }
        }
    }

    private static void writeTemplates(TemplatesImage templates, List<MeshRecord> out) {
        for (TemplateImage t : templates.all()) {
            out.add(new TemplateCreatedRecord(t.spec(), t.createdAt()));
            if (t.updatedAt() != t.createdAt()) {
                out.add(new TemplateUpdatedRecord(t.spec(), t.updatedAt()));
            }
        }
    }

    private static void writeAccounts(AccountsImage accounts, List<MeshRecord> out) {
        for (UserImage u : accounts.users()) {
            out.add(new UserCreatedRecord(u.name(), u.passwordHash(), u.role(), u.site(), u.createdAt()));
        }
        for (String g : accounts.groups()) {
            out.add(new GroupCreatedRecord(g, 0));
            for (String member : accounts.members(g)) {
                out.add(new GroupMemberAddedRecord(g, member, 0));
            }
        }
        for (GrantImage g : accounts.grants()) {
            out.add(new GrantCreatedRecord(g.id(), g.template(), g.user(), g.group(), g.createdAt()));
        }
    }

    private static void writeVmsAndSessions(VmsImage vms, SessionsImage sessions, List<MeshRecord> out) {
        for (VmImage vm : vms.all()) {
            out.add(new VmAllocatedRecord(vm.vmId(), vm.template(), vm.server(), vm.imageVersion(), vm.cpus(),
                    vm.memoryMb(), vm.allocatedAt()));
        }
        for (SessionImage s : sessions.all()) {
            out.add(new SessionReservedRecord(s.id(), s.user(), s.template(), s.vmId(), s.server(), s.reservedAt()));
            switch (s.state()) {
                case RESERVED -> { }
                case CONNECTED -> out.add(new SessionConnectedRecord(s.id(), s.since()));
                case DISCONNECTED -> out.add(new SessionDisconnectedRecord(s.id(), s.since()));
            }
        }
        // Each VM's state last, so its 'since' survives the session records above.
        for (VmImage vm : vms.all()) {
            if (vm.state() != VmState.ALLOCATED) {
                out.add(new VmCreatedRecord(vm.vmId(), vm.mac(), vm.since()));
            }
            switch (vm.state()) {
                case ALLOCATED, STOPPED -> { }
                case RUNNING -> out.add(new VmStartedRecord(vm.vmId(), vm.since()));
                case DIRTY -> out.add(new VmDirtyRecord(vm.vmId(), vm.since()));
                case UNHEALTHY -> out.add(new VmUnhealthyRecord(vm.vmId(), vm.reason(), vm.since()));
                case RETIRING -> out.add(new VmRetiredRecord(vm.vmId(), vm.reason(), vm.since()));
            }
            if (vm.owner() != null) {
                out.add(new VmOwnerAssignedRecord(vm.vmId(), vm.owner(), vm.since()));
            }
        }
    }
}
