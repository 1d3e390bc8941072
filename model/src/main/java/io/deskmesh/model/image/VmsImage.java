package io.deskmesh.model.image;

import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every VM, with the indexes planners and the broker need: VMs per template and server, free VMs
 * per template and server, persistent owners, and per-server reserved resources. Immutable and
 * thread-safe.
 */
public final class VmsImage {
    public static final VmsImage EMPTY = new VmsImage(TreePMap.empty(), TreePMap.empty(), TreePMap.empty(),
            TreePMap.empty(), TreePMap.empty(), TreePMap.empty(), TreePMap.empty(), TreePMap.empty(), TreePMap.empty());

    final TreePMap<String, VmImage> vms;
    /** template → server → VM ids (every state). */
    final TreePMap<String, TreePMap<String, TreePSet<String>>> placement;
    /** template → server → ids of VMs a new session may take. */
    final TreePMap<String, TreePMap<String, TreePSet<String>>> free;
    /** template → user → the user's own VM (persistent pools). */
    final TreePMap<String, TreePMap<String, String>> owned;
    /** server → reserved resources. */
    final TreePMap<String, ServerUsage> usage;
    /** template → server → ids of VMs that do not count (retiring or broken). */
    final TreePMap<String, TreePMap<String, TreePSet<String>>> leaving;
    /** template → ids of VMs whose lifecycle needs a step (allocated, retiring, broken, dirty, held but off). */
    final TreePMap<String, TreePSet<String>> attention;
    /** template → image version → number of its VMs on that version. */
    final TreePMap<String, TreePMap<Integer, Integer>> versions;
    /** template → server → ids of free VMs that are powered on (the spare buffer). */
    final TreePMap<String, TreePMap<String, TreePSet<String>>> freeRunning;

    VmsImage(TreePMap<String, VmImage> vms, TreePMap<String, TreePMap<String, TreePSet<String>>> placement,
             TreePMap<String, TreePMap<String, TreePSet<String>>> free, TreePMap<String, TreePMap<String, String>> owned,
             TreePMap<String, ServerUsage> usage, TreePMap<String, TreePMap<String, TreePSet<String>>> leaving,
             TreePMap<String, TreePSet<String>> attention, TreePMap<String, TreePMap<Integer, Integer>> versions,
             TreePMap<String, TreePMap<String, TreePSet<String>>> freeRunning) {
        this.vms = vms;
        this.placement = placement;
        this.free = free;
        this.owned = owned;
        this.usage = usage;
        this.leaving = leaving;
        this.attention = attention;
        this.versions = versions;
        this.freeRunning = freeRunning;
    }

    /** Free, powered-on VMs of a template by server. */
    public Map<String, TreePSet<String>> freeRunning(String template) {
        return freeRunning.getOrDefault(template, TreePMap.empty());
    }

    /** VMs of a template on one server that do not count towards its pool (retiring or broken). */
    public int leavingOn(String template, String server) {
        return PMaps.nested(leaving, template, server).size();
    }

    /** Ids of a template's VMs whose lifecycle needs a step, sorted. */
    public Set<String> needingAttention(String template) {
        return attention.getOrDefault(template, TreePSet.empty());
    }

    /** A template's VMs by image version (version → count). */
    public Map<Integer, Integer> versions(String template) {
        return versions.getOrDefault(template, TreePMap.empty());
    }

    /** Templates that have VMs, sorted (including deleted templates whose VMs are on their way out). */
    public Set<String> templatesWithVms() {
        return placement.keySet();
    }

    public Optional<VmImage> get(String vmId) {
        return Optional.ofNullable(vms.get(vmId));
    }

    /** All VMs, sorted by id. */
    public Collection<VmImage> all() {
        return vms.values();
    }

    public int size() {
        return vms.size();
    }

    /** VM ids of a template by server (every state), sorted. */
    public Map<String, TreePSet<String>> placement(String template) {
        return placement.getOrDefault(template, TreePMap.empty());
    }

    /** VM ids of a template on one server, sorted. */
    public Set<String> on(String template, String server) {
        return PMaps.nested(placement, template, server);
    }

    /** Free VM ids of a template by server, sorted. */
    public Map<String, TreePSet<String>> free(String template) {
        return free.getOrDefault(template, TreePMap.empty());
    }

    /** Free VM ids of a template on one server, sorted. */
    public TreePSet<String> freeOn(String template, String server) {
        return PMaps.nested(free, template, server);
    }

    /** The persistent VM a user owns for a template. */
    public Optional<String> ownedBy(String template, String user) {
        return Optional.ofNullable(owned.getOrDefault(template, TreePMap.empty()).get(user));
    }

    /** Owners of a template's persistent VMs, user → VM id. */
    public Map<String, String> owners(String template) {
        return owned.getOrDefault(template, TreePMap.empty());
    }

    /** Resources reserved on a server by its VMs. */
    public ServerUsage usage(String server) {
        return usage.getOrDefault(server, ServerUsage.NONE);
    }

    /** Servers with at least one VM, sorted. */
    public Set<String> serversWithVms() {
        return usage.keySet();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VmsImage v && vms.equals(v.vms);
    }

    @Override
    public int hashCode() {
        return vms.hashCode();
    }
}
