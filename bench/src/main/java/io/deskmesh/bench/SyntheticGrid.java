package io.deskmesh.bench;

import io.deskmesh.model.image.ClusterDelta;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.plan.CapacityModel;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.GrantCreatedRecord;
import io.deskmesh.model.record.GridCreatedRecord;
import io.deskmesh.model.record.GroupCreatedRecord;
import io.deskmesh.model.record.GroupMemberAddedRecord;
import io.deskmesh.model.record.ImageVersionRegisteredRecord;
import io.deskmesh.model.record.MeshRecord;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.ReplicaLandedRecord;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.ServerJoinedRecord;
import io.deskmesh.model.record.ServerMissingRecord;
import io.deskmesh.model.record.SessionConnectedRecord;
import io.deskmesh.model.record.SessionReservedRecord;
import io.deskmesh.model.record.TemplateCreatedRecord;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.model.record.UserCreatedRecord;
import io.deskmesh.model.record.VmAllocatedRecord;
import io.deskmesh.model.record.VmCreatedRecord;
import io.deskmesh.model.record.VmOwnerAssignedRecord;
import io.deskmesh.model.record.VmStartedRecord;
import io.deskmesh.model.record.VmState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Builds a steady-state {@link ClusterImage} of a {@link GridShape} by replaying generated records
 * straight into a {@link ClusterDelta}, with no commands and no planning rounds: about 4 records per
 * VM, a few seconds for a million VMs. Not thread-safe; one build per instance.
 *
 * <p><b>What "steady state" means here.</b> The grid the planners would converge to, so that
 * {@code GridPlanner.plan} has (next to) nothing to do, which is the common case a node plans in:
 * <ul>
 *   <li>servers of {@link GridShape}, sized so the desired VMs fill memory to {@link #TARGET};</li>
 *   <li>each template's base image on the least loaded servers (at least {@link GridShape#MIN_REPLICAS},
 *       at most one per VM) until they can take its desired VMs below {@link #PLACE_LEVEL} utilisation
 *       (a server counts for at least {@link #MIN_ROOM}, so late templates are not spread one VM per
 *       server) and their capacity at {@link #COVERAGE_LEVEL} covers {@link #COVERAGE_MARGIN} times
 *       them, so the image placement planner wants no more copies; largest VMs placed first;</li>
 *   <li>the desired VMs water-filled over those holders (every holder gets at least one, so no copy
 *       is surplus), each built and on the template's image version;</li>
 *   <li>non-persistent pools: 35% of VMs hold a connected session (running), {@code spareVms} free
 *       VMs running, the other free VMs stopped; persistent pools: 60% owned, half of those in a
 *       session, {@code spareVms} free VMs running, the rest stopped;</li>
 *   <li>one group per two templates, with one more user than the larger template has VMs; users
 *       spread over the three sites.</li>
 * </ul>
 */
public final class SyntheticGrid {
    public static final double TARGET = 0.65;
    static final double PLACE_LEVEL = TARGET + 0.02;
    static final long MIN_ROOM = 8;
    static final double COVERAGE_LEVEL = 0.70;
    static final double COVERAGE_MARGIN = 1.3;
    static final long EPOCH = 1_700_000_000_000L;
    static final String HASH = "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";

    /**
     * A built grid and handles the benchmarks need.
     *
     * @param image         the steady-state image
     * @param shape         its shape
     * @param users         accounts created
     * @param records       records replayed to build it
     * @param template      the non-persistent template with the most base image holders, then the most VMs
     *                      (routing's worst case)
     * @param idleUser      a user entitled to {@code template} with no session on it
     * @param freeStoppedVm a free, powered-off VM of {@code template} on a schedulable server
     */
    public record Built(ClusterImage image, GridShape shape, int users, long records, String template, String idleUser,
                        String freeStoppedVm) {
    }

    private final GridShape shape;
    private final ClusterDelta delta = new ClusterDelta(ClusterImage.EMPTY);
    private final long[] usedCpu;
    private final long[] usedMem;
    private final Capacity[] capacity;
    private final int[][] holders = new int[GridShape.TEMPLATES][];
    private final int[][] counts = new int[GridShape.TEMPLATES][];
    private final List<List<String>> members = new ArrayList<>();
    private long records;
    private long index = 1_000;

    private SyntheticGrid(GridShape shape) {
        this.shape = shape;
        int n = shape.servers();
        usedCpu = new long[n];
        usedMem = new long[n];
        capacity = new Capacity[n];
        for (int s = 0; s < n; s++) {
            capacity[s] = shape.capacity(s);
        }
    }

    /** A steady-state grid of {@code servers} servers and {@code vms} VMs at {@link #TARGET} memory utilisation. */
    public static Built build(int servers, int vms) {
        return new SyntheticGrid(new GridShape(servers, vms, TARGET)).run();
    }

    /** The sizes the issue asks about: 100 VMs per server. */
    public static int vmsFor(int servers) {
        return servers * 100;
    }

    /**
     * The image after {@code fraction} of its servers (at least one, evenly spaced by name) were
     * recorded missing: the re-plan a node does when servers are lost. Sessions and VMs on them stay
     * in the image, as they do until the servers return or are removed.
     */
    public static ClusterImage withMissing(ClusterImage image, double fraction) {
        List<ServerImage> all = List.copyOf(image.servers().all());
        int lose = Math.max(1, (int) Math.round(all.size() * fraction));
        List<MeshRecord> lost = new ArrayList<>(lose);
        for (int i = 0; i < lose; i++) {
            ServerImage s = all.get((int) ((i + 0.5) * all.size() / lose));
            lost.add(new ServerMissingRecord(s.name(), "no heartbeat for 30s", image.at() + 1));
        }
        return image.replay(image.index() + 1, lost);
    }

    private Built run() {
        emit(new GridCreatedRecord("bench-grid", at()));
        for (int s = 0; s < shape.servers(); s++) {
            emit(new ServerJoinedRecord(GridShape.server(s), GridShape.site(s), GridShape.address(s), capacity[s], at()));
        }
        List<TemplateSpec> specs = shape.templates();
        for (int t = 0; t < specs.size(); t++) {
            emit(new ImageVersionRegisteredRecord(GridShape.image(t), 1, GridShape.imageBytes(t), GridShape.sha(t), 0, at()));
        }
        place(specs);
        for (int t = 0; t < specs.size(); t++) {
            for (int h : holders[t]) {
                emit(new ReplicaLandedRecord(GridShape.image(t), 1, GridShape.server(h), at()));
            }
            emit(new TemplateCreatedRecord(specs.get(t), at()));
        }
        int users = accounts(specs);
        for (int t = 0; t < specs.size(); t++) {
            emit(new GrantCreatedRecord("g-" + Integer.toString(t + 1, 36), GridShape.template(t), null, GridShape.group(t), at()));
        }
        for (int t = 0; t < specs.size(); t++) {
            vms(t, specs.get(t));
        }
        ClusterImage image = delta.apply(records, EPOCH + records);
        int best = -1;
        for (int t = 0; t < specs.size(); t++) {
            if (specs.get(t).pool() == PoolKind.NON_PERSISTENT && (best < 0 || holders[t].length > holders[best].length
                    || holders[t].length == holders[best].length
                    && specs.get(t).desiredVms().count() > specs.get(best).desiredVms().count())) {
                best = t;
            }
        }
        String template = GridShape.template(best);
        List<String> group = members.get(best / 2);
        return new Built(image, shape, users, records, template, group.get(group.size() - 1), freeStopped(image, template));
    }

    /** Chooses each template's holders and water-fills its VMs over them, largest VMs first. */
    private void place(List<TemplateSpec> specs) {
        PriorityQueue<Integer> servers = new PriorityQueue<>(Comparator.<Integer>comparingDouble(this::utilisation)
                .thenComparingInt(s -> s));
        for (int s = 0; s < shape.servers(); s++) {
            servers.add(s);
        }
        List<Integer> order = new ArrayList<>();
        for (int t = 0; t < specs.size(); t++) {
            order.add(t);
        }
        order.sort(Comparator.<Integer>comparingLong(t -> -specs.get(t).memoryMb())
                .thenComparingInt(t -> -specs.get(t).cpus()).thenComparingInt(t -> t));
        for (int t : order) {
            TemplateSpec spec = specs.get(t);
            int desired = spec.desiredVms().count();
            List<Integer> chosen = new ArrayList<>();
            long room = 0;
            long cover = 0;
            // Never more holders than VMs: a holder without a VM of the template is a surplus copy.
            // A server with little room below PLACE_LEVEL still counts MIN_ROOM, so templates placed
            // late are not spread one VM per server over the crumbs the others left.
            while (!servers.isEmpty() && chosen.size() < Math.max(GridShape.MIN_REPLICAS, desired)
                    && (chosen.size() < GridShape.MIN_REPLICAS || room < desired
                    || cover < COVERAGE_MARGIN * desired)) {
                int s = servers.poll();
                chosen.add(s);
                room += Math.max(MIN_ROOM, slots(s, spec, PLACE_LEVEL));
                cover += coverage(s, spec);
            }
            chosen.sort(null);
            holders[t] = chosen.stream().mapToInt(Integer::intValue).toArray();
            counts[t] = fill(spec, holders[t], desired);
            servers.addAll(chosen);
        }
    }

    private int[] fill(TemplateSpec spec, int[] on, int desired) {
        int[] n = new int[on.length];
        int placed = 0;
        for (int k = 0; k < on.length && placed < desired; k++) {
            if (slots(on[k], spec, 1.0) > 0) {
                add(on[k], spec);
                n[k]++;
                placed++;
            }
        }
        PriorityQueue<Integer> heap = new PriorityQueue<>(Comparator.<Integer>comparingDouble(k -> utilisationWith(on[k], spec))
                .thenComparingInt(k -> k));
        for (int k = 0; k < on.length; k++) {
            if (slots(on[k], spec, 1.0) > 0) {
                heap.add(k);
            }
        }
        while (placed < desired && !heap.isEmpty()) {
            int k = heap.poll();
            add(on[k], spec);
            n[k]++;
            placed++;
            if (slots(on[k], spec, 1.0) > 0) {
                heap.add(k);
            }
        }
        if (placed < desired) {
            throw new IllegalStateException("template '" + spec.name() + "': only " + placed + " of " + desired
                    + " VMs fit on its " + on.length + " holders; the shape's capacity is too small");
        }
        return n;
    }

    private int accounts(List<TemplateSpec> specs) {
        int users = 0;
        for (int g = 0; g < specs.size() / 2; g++) {
            int size = Math.max(specs.get(2 * g).desiredVms().count(), specs.get(2 * g + 1).desiredVms().count()) + 1;
            String group = GridShape.group(2 * g);
            emit(new GroupCreatedRecord(group, at()));
            List<String> names = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                String name = "user" + (users + 1);
                emit(new UserCreatedRecord(name, HASH, users == 0 ? Role.ADMIN : Role.USER, GridShape.SITES[users % 3], at()));
                emit(new GroupMemberAddedRecord(group, name, at()));
                names.add(name);
                users++;
            }
            members.add(names);
        }
        return users;
    }

    /** The template's VMs, one allocation per holder as the planner would issue them, then their states. */
    private void vms(int t, TemplateSpec spec) {
        boolean persistent = spec.pool() == PoolKind.PERSISTENT;
        List<String> users = members.get(t / 2);
        int nextUser = 0;
        int freeRunning = 0;
        int j = 0;
        for (int k = 0; k < holders[t].length; k++) {
            String server = GridShape.server(holders[t][k]);
            long alloc = ++index;
            for (int i = 0; i < counts[t][k]; i++, j++) {
                String id = spec.name() + "-" + Long.toString(alloc, 36) + "-0" + (i > 0 ? "-" + Integer.toString(i, 36) : "");
                emit(new VmAllocatedRecord(id, spec.name(), server, spec.imageVersion(), spec.cpus(), spec.memoryMb(), at()));
                emit(new VmCreatedRecord(id, mac(records), at()));
                // Strides coprime with the cycle spread the roles evenly even over pools of a few VMs.
                boolean session = persistent ? j * 3 % 10 < 3 : j * 7 % 20 < 7;
                boolean owned = persistent && j * 3 % 10 < 6;
                if (session || owned) {
                    String user = users.get(nextUser++);
                    if (session || j % 2 == 0) {
                        emit(new VmStartedRecord(id, at()));
                    }
                    if (session) {
                        String sessionId = "s-" + Long.toString(++index, 36) + "-0";
                        emit(new SessionReservedRecord(sessionId, user, spec.name(), id, server, at()));
                        emit(new SessionConnectedRecord(sessionId, at()));
                    }
                    if (owned) {
                        emit(new VmOwnerAssignedRecord(id, user, at()));
                    }
                } else if (freeRunning < spec.spareVms()) {
                    emit(new VmStartedRecord(id, at()));
                    freeRunning++;
                }
            }
        }
    }

    private static String freeStopped(ClusterImage image, String template) {
        for (var e : image.vms().free(template).entrySet()) {
            for (String id : e.getValue()) {
                VmImage vm = image.vms().get(id).orElseThrow();
                if (vm.state() == VmState.STOPPED) {
                    return id;
                }
            }
        }
        throw new IllegalStateException("template '" + template + "' has no free stopped VM");
    }

    private double utilisation(int s) {
        return CapacityModel.utilisation(capacity[s], usedCpu[s], usedMem[s]);
    }

    private double utilisationWith(int s, TemplateSpec spec) {
        return CapacityModel.utilisation(capacity[s], usedCpu[s] + spec.cpus(), usedMem[s] + spec.memoryMb());
    }

    /** VMs of the template that still fit on server s below the given utilisation. */
    private long slots(int s, TemplateSpec spec, double level) {
        Capacity c = capacity[s];
        long mem = (long) (c.memoryMb() * level) - usedMem[s];
        long cpu = (long) (CapacityModel.vcpus(c) * level) - usedCpu[s];
        return Math.max(0, Math.min(mem / spec.memoryMb(), cpu / spec.cpus()));
    }

    /** What the image placement planner counts a holder as able to host, at {@link #COVERAGE_LEVEL}. */
    private long coverage(int s, TemplateSpec spec) {
        Capacity c = capacity[s];
        return Math.min((long) (c.memoryMb() * COVERAGE_LEVEL) / spec.memoryMb(),
                (long) (CapacityModel.vcpus(c) * COVERAGE_LEVEL) / spec.cpus());
    }

    private void add(int s, TemplateSpec spec) {
        usedCpu[s] += spec.cpus();
        usedMem[s] += spec.memoryMb();
    }

    private long at() {
        return EPOCH + records;
    }

    private void emit(MeshRecord r) {
        delta.replay(r);
        records++;
    }

    /** A locally administered MAC address derived from a counter (cheaper than String.format at a million VMs). */
    private static String mac(long n) {
        char[] c = "52:54:00:00:00:00".toCharArray();
        for (int b = 0; b < 3; b++) {
            int v = (int) (n >>> (8 * (2 - b))) & 0xff;
            c[9 + 3 * b] = Character.forDigit(v >>> 4, 16);
            c[10 + 3 * b] = Character.forDigit(v & 0xf, 16);
        }
        return new String(c);
    }
}
