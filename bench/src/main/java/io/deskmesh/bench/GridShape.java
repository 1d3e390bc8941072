package io.deskmesh.bench;

import io.deskmesh.model.plan.CapacityModel;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.TemplateSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shape of a benchmark grid: its servers (three sizes, 1:2:3, over three sites), its
 * {@value #TEMPLATES} templates (1-4 vCPUs, 2-6 GiB, one in four persistent, desired counts varying
 * 2:3:4:5:6 and summing to the VM count) and server capacities sized so that every template at its
 * desired size fills the grid to a chosen memory utilisation. Shared by the steady-state builder
 * ({@link SyntheticGrid}) and the convergence run ({@link ConvergenceRun}) so both measure the same
 * grid. Deterministic; immutable and thread-safe.
 */
public final class GridShape {
    public static final int TEMPLATES = 200;
    public static final int MIN_REPLICAS = 2;
    static final String[] SITES = {"site-a", "site-b", "site-c"};
    /** vCPU demand is sized to this share of the memory target, so memory is the binding resource. */
    static final double CPU_SHARE_OF_TARGET = 0.85;

    private final int servers;
    private final int vms;
    private final double target;
    private final List<TemplateSpec> templates;
    private final int unitCores;
    private final long unitMemoryMb;

    /**
     * @param servers how many servers
     * @param vms     how many VMs all templates want together
     * @param target  the memory utilisation the grid runs at when every template has its desired VMs
     */
    public GridShape(int servers, int vms, double target) {
        if (servers < 1 || vms < TEMPLATES || target <= 0 || target >= 1) {
            throw new IllegalArgumentException("need >= 1 server, >= " + TEMPLATES + " VMs and 0 < target < 1, got servers="
                    + servers + " vms=" + vms + " target=" + target);
        }
        this.servers = servers;
        this.vms = vms;
        this.target = target;
        this.templates = specs(vms);
        long wantMem = 0;
        long wantCpu = 0;
        for (TemplateSpec t : templates) {
            wantMem += (long) t.desiredVms().count() * t.memoryMb();
            wantCpu += (long) t.desiredVms().count() * t.cpus();
        }
        long units = 0;
        for (int s = 0; s < servers; s++) {
            units += weight(s);
        }
        this.unitMemoryMb = Math.max(1024, (long) Math.ceil(wantMem / (target * units) / 1024.0) * 1024);
        this.unitCores = (int) Math.max(1, Math.ceil(wantCpu / (CapacityModel.VCPUS_PER_CORE * target * CPU_SHARE_OF_TARGET * units)));
    }

    public int servers() {
        return servers;
    }

    public int vms() {
        return vms;
    }

    public double target() {
        return target;
    }

    /** Template specs, by name; image version 1 of base image {@code img-NNN}. */
    public List<TemplateSpec> templates() {
        return templates;
    }

    public static String server(int s) {
        return String.format(Locale.ROOT, "srv-%05d", s);
    }

    public static String template(int t) {
        return String.format(Locale.ROOT, "tpl-%03d", t);
    }

    public static String image(int t) {
        return String.format(Locale.ROOT, "img-%03d", t);
    }

    public static String group(int t) {
        return "grp-" + (t / 2);
    }

    /** Sites rotate every three servers, so each site has servers of every size. */
    public static String site(int s) {
        return SITES[(s / 3) % SITES.length];
    }

    public static String address(int s) {
        return "10." + (s >> 16 & 0xff) + "." + (s >> 8 & 0xff) + "." + (s & 0xff) + ":8443";
    }

    /** Relative size of server {@code s}: 1, 2 or 3. */
    static int weight(int s) {
        return 1 + s % 3;
    }

    public Capacity capacity(int s) {
        int w = weight(s);
        return new Capacity(unitCores * w, unitMemoryMb * w, 4_000_000L * w);
    }

    /** Size of template {@code t}'s base image: 1 to 8 GiB. */
    public static long imageBytes(int t) {
        return (1 + t % 8) * 1024L * 1024 * 1024;
    }

    public static String sha(int t) {
        return String.format(Locale.ROOT, "%064x", t + 1);
    }

    private static List<TemplateSpec> specs(int vms) {
        int[] weights = new int[TEMPLATES];
        int sum = 0;
        for (int t = 0; t < TEMPLATES; t++) {
            weights[t] = 2 + t % 5;
            sum += weights[t];
        }
        int[] desired = new int[TEMPLATES];
        int given = 0;
        for (int t = 0; t < TEMPLATES; t++) {
            desired[t] = (int) ((long) vms * weights[t] / sum);
            given += desired[t];
        }
        for (int t = 0; given < vms; t = (t + 1) % TEMPLATES) {
            desired[t]++;
            given++;
        }
        List<TemplateSpec> out = new ArrayList<>(TEMPLATES);
        for (int t = 0; t < TEMPLATES; t++) {
            boolean persistent = t % 4 == 3;
            int spare = Math.min(desired[t], desired[t] >= 50 ? 3 : 1);
            out.add(new TemplateSpec(template(t), 1 + t % 4, 2048L * (1 + t % 3), image(t), 1,
                    persistent ? PoolKind.PERSISTENT : PoolKind.NON_PERSISTENT, DesiredVms.of(desired[t]), spare,
                    MIN_REPLICAS, 1800, 600));
        }
        return List.copyOf(out);
    }
}
