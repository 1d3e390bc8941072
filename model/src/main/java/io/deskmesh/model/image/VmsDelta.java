package io.deskmesh.model.image;

import io.deskmesh.model.record.SessionEndedRecord;
import io.deskmesh.model.record.SessionExpiredRecord;
import io.deskmesh.model.record.SessionReservedRecord;
import io.deskmesh.model.record.VmAllocatedRecord;
import io.deskmesh.model.record.VmCreatedRecord;
import io.deskmesh.model.record.VmDeletedRecord;
import io.deskmesh.model.record.VmDirtyRecord;
import io.deskmesh.model.record.VmOwnerAssignedRecord;
import io.deskmesh.model.record.VmRegeneratedRecord;
import io.deskmesh.model.record.VmRetiredRecord;
import io.deskmesh.model.record.VmStartedRecord;
import io.deskmesh.model.record.VmState;
import io.deskmesh.model.record.VmStoppedRecord;
import io.deskmesh.model.record.VmUnhealthyRecord;
import org.pcollections.TreePMap;

/**
 * Replays VM records (and the session records that hold or release VMs) onto a {@link VmsImage},
 * keeping every index in step through one {@link #put} / {@link #drop} pair. Not thread-safe: one
 * replaying thread.
 */
final class VmsDelta {
    private TreePMap<String, VmImage> vms;
    private TreePMap<String, TreePMap<String, org.pcollections.TreePSet<String>>> placement;
    private TreePMap<String, TreePMap<String, org.pcollections.TreePSet<String>>> free;
    private TreePMap<String, TreePMap<String, String>> owned;
    private TreePMap<String, ServerUsage> usage;
    private TreePMap<String, TreePMap<String, org.pcollections.TreePSet<String>>> leaving;
    private TreePMap<String, org.pcollections.TreePSet<String>> attention;
    private TreePMap<String, TreePMap<Integer, Integer>> versions;
    private TreePMap<String, TreePMap<String, org.pcollections.TreePSet<String>>> freeRunning;

    private final VmsImage base;

    VmsDelta(VmsImage base) {
        this.base = base;
        vms = base.vms;
        placement = base.placement;
        free = base.free;
        owned = base.owned;
        usage = base.usage;
        leaving = base.leaving;
        attention = base.attention;
        versions = base.versions;
        freeRunning = base.freeRunning;
    }

    /** The VMs after replay; the base image itself when nothing changed, so untouched parts stay shared. */
    VmsImage apply() {
        if (vms == base.vms && placement == base.placement && free == base.free && owned == base.owned
                && usage == base.usage && leaving == base.leaving && attention == base.attention
                && versions == base.versions && freeRunning == base.freeRunning) {
            return base;
        }
        return new VmsImage(vms, placement, free, owned, usage, leaving, attention, versions, freeRunning);
    }

    void replay(VmAllocatedRecord r) {
        if (vms.containsKey(r.vmId())) {
            throw new ReplayException("VM '" + r.vmId() + "' allocated twice");
        }
        put(null, new VmImage(r.vmId(), r.template(), r.server(), r.imageVersion(), r.cpus(), r.memoryMb(),
                VmState.ALLOCATED, null, "", null, "", r.at(), r.at()));
    }

    void replay(VmCreatedRecord r) {
        VmImage vm = get(r.vmId());
        put(vm, vm.withMac(r.mac() == null ? "" : r.mac(), r.at()));
    }

    void replay(VmStartedRecord r) {
        VmImage vm = get(r.vmId());
        put(vm, vm.withState(VmState.RUNNING, "", r.at()));
    }

    void replay(VmStoppedRecord r) {
        VmImage vm = get(r.vmId());
        VmState next = vm.state() == VmState.RUNNING ? VmState.STOPPED : vm.state();
        put(vm, vm.withState(next, vm.reason(), r.at()));
    }

    void replay(VmRegeneratedRecord r) {
        VmImage vm = get(r.vmId());
        put(vm, vm.regenerated(r.imageVersion(), r.at()));
    }

    void replay(VmDirtyRecord r) {
        VmImage vm = get(r.vmId());
        put(vm, vm.withState(VmState.DIRTY, "", r.at()));
    }

    void replay(VmUnhealthyRecord r) {
        VmImage vm = get(r.vmId());
        put(vm, vm.withState(VmState.UNHEALTHY, r.reason() == null ? "" : r.reason(), r.at()));
    }

    void replay(VmRetiredRecord r) {
        VmImage vm = get(r.vmId());
        put(vm, vm.withState(VmState.RETIRING, r.reason() == null ? "" : r.reason(), r.at()));
    }

    void replay(VmOwnerAssignedRecord r) {
        VmImage vm = get(r.vmId());
        if (vm.owner() != null) {
            throw new ReplayException("VM '" + r.vmId() + "' already belongs to '" + vm.owner() + "'");
        }
        put(vm, vm.withOwner(r.user(), r.at()));
    }

    void replay(VmDeletedRecord r) {
        drop(get(r.vmId()));
    }

    void replay(SessionReservedRecord r) {
        VmImage vm = get(r.vmId());
        if (vm.sessionId() != null) {
            throw new ReplayException("VM '" + r.vmId() + "' reserved for session '" + r.sessionId()
                    + "' while session '" + vm.sessionId() + "' holds it");
        }
        put(vm, vm.withSession(r.sessionId(), r.at()));
    }

    void release(String vmId, String sessionId, long at) {
        VmImage vm = vms.get(vmId);
        if (vm != null && sessionId.equals(vm.sessionId())) {
            put(vm, vm.withSession(null, at));
        }
    }

    void replay(SessionEndedRecord r, String vmId) {
        release(vmId, r.sessionId(), r.at());
    }

    void replay(SessionExpiredRecord r, String vmId) {
        release(vmId, r.sessionId(), r.at());
    }

    private VmImage get(String vmId) {
        VmImage vm = vms.get(vmId);
        if (vm == null) {
            throw new ReplayException("record names unknown VM '" + vmId + "'");
        }
        return vm;
    }

    private void put(VmImage old, VmImage vm) {
        if (old != null) {
            unindex(old, false);
        } else {
            placement = PMaps.addNested(placement, vm.template(), vm.server(), vm.vmId());
        }
        vms = vms.plus(vm.vmId(), vm);
        if (vm.free()) {
            free = PMaps.addNested(free, vm.template(), vm.server(), vm.vmId());
            if (vm.state() == VmState.RUNNING) {
                freeRunning = PMaps.addNested(freeRunning, vm.template(), vm.server(), vm.vmId());
            }
        }
        if (vm.owner() != null) {
            owned = owned.plus(vm.template(), owned.getOrDefault(vm.template(), TreePMap.empty()).plus(vm.owner(), vm.vmId()));
        }
        usage = usage.plus(vm.server(), usage.getOrDefault(vm.server(), ServerUsage.NONE).plus(vm, 1));
        if (!vm.counted()) {
            leaving = PMaps.addNested(leaving, vm.template(), vm.server(), vm.vmId());
        }
        if (needsAttention(vm)) {
            attention = PMaps.addToSet(attention, vm.template(), vm.vmId());
        }
        versions = countVersion(versions, vm, 1);
    }

    /** VMs whose lifecycle has a next step regardless of their template's or server's state. */
    static boolean needsAttention(VmImage vm) {
        return switch (vm.state()) {
            case ALLOCATED, RETIRING, UNHEALTHY, DIRTY -> true;
            case STOPPED -> vm.sessionId() != null;
            case RUNNING -> false;
        };
    }

    private static TreePMap<String, TreePMap<Integer, Integer>> countVersion(
            TreePMap<String, TreePMap<Integer, Integer>> map, VmImage vm, int delta) {
        TreePMap<Integer, Integer> byVersion = map.getOrDefault(vm.template(), TreePMap.empty());
        int n = byVersion.getOrDefault(vm.imageVersion(), 0) + delta;
        byVersion = n <= 0 ? byVersion.minus(vm.imageVersion()) : byVersion.plus(vm.imageVersion(), n);
        return byVersion.isEmpty() ? map.minus(vm.template()) : map.plus(vm.template(), byVersion);
    }

    private void drop(VmImage vm) {
        unindex(vm, true);
        vms = vms.minus(vm.vmId());
    }

    /** Removes a VM's contributions to the indexes; placement only when it leaves (it never moves). */
    private void unindex(VmImage vm, boolean placementToo) {
        if (placementToo) {
            placement = PMaps.removeNested(placement, vm.template(), vm.server(), vm.vmId());
        }
        if (vm.free()) {
            free = PMaps.removeNested(free, vm.template(), vm.server(), vm.vmId());
            if (vm.state() == VmState.RUNNING) {
                freeRunning = PMaps.removeNested(freeRunning, vm.template(), vm.server(), vm.vmId());
            }
        }
        if (vm.owner() != null) {
            TreePMap<String, String> o = owned.getOrDefault(vm.template(), TreePMap.empty()).minus(vm.owner());
            owned = o.isEmpty() ? owned.minus(vm.template()) : owned.plus(vm.template(), o);
        }
        ServerUsage u = usage.getOrDefault(vm.server(), ServerUsage.NONE).plus(vm, -1);
        usage = u.isEmpty() ? usage.minus(vm.server()) : usage.plus(vm.server(), u);
        if (!vm.counted()) {
            leaving = PMaps.removeNested(leaving, vm.template(), vm.server(), vm.vmId());
        }
        if (needsAttention(vm)) {
            attention = PMaps.removeFromSet(attention, vm.template(), vm.vmId());
        }
        versions = countVersion(versions, vm, -1);
    }
}
