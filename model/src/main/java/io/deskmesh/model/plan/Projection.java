package io.deskmesh.model.plan;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.ServerUsage;
import io.deskmesh.model.image.TemplateImage;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scratch state of one planning pass: each server's reserved resources and disk as the image has
 * them plus what this plan has already added, so later steps of the same pass see earlier ones.
 * Servers are held in name order; the lookup map is never iterated. Not thread-safe: one planning
 * pass.
 */
final class Projection {
    final ClusterImage image;
    final List<ServerImage> servers;
    /** Load: vCPUs and memory of VMs that stay, plus what this pass adds; drives balancing. */
    final long[] cpus;
    final long[] memoryMb;
    /** Reservation: everything VMs hold until deleted, plus what this pass adds; bounds allocation. */
    final long[] reservedCpus;
    final long[] reservedMemoryMb;
    final long[] diskBytes;
    final int[] outgoing;
    private final Map<String, Integer> index = new HashMap<>();
    private final Map<String, Integer> desired = new HashMap<>();
    /** "server NUL image@version" of copies this pass drops; VMs must not be placed on them. */
    final Set<String> dropping = new HashSet<>();

    Projection(ClusterImage image) {
        this.image = image;
        this.servers = List.copyOf(image.servers().all());
        int n = servers.size();
        cpus = new long[n];
        memoryMb = new long[n];
        reservedCpus = new long[n];
        reservedMemoryMb = new long[n];
        diskBytes = new long[n];
        outgoing = new int[n];
        for (int i = 0; i < n; i++) {
            ServerImage s = servers.get(i);
            index.put(s.name(), i);
            ServerUsage u = image.vms().usage(s.name());
            cpus[i] = u.stayingCpus();
            memoryMb[i] = u.stayingMemoryMb();
            reservedCpus[i] = u.cpus();
            reservedMemoryMb[i] = u.memoryMb();
            diskBytes[i] = image.images().bytesOn(s.name());
        }
        for (ServerImage s : servers) {
            for (var replica : image.images().onServer(s.name()).values()) {
                if (!replica.landed() && !replica.source().isEmpty()) {
                    Integer src = index.get(replica.source());
                    if (src != null) {
                        outgoing[src]++;
                    }
                }
            }
        }
        for (TemplateImage t : image.templates().all()) {
            desired.put(t.name(), PoolSizer.desired(image, t));
        }
    }

    int indexOf(String server) {
        Integer i = index.get(server);
        return i == null ? -1 : i;
    }

    /** Whether server i holds the template's image version landed and keeps it in this pass. */
    boolean hosts(int i, TemplateImage t) {
        String server = servers.get(i).name();
        return image.images().hasLanded(t.imageRef(), server) && !dropping.contains(server + "\u0000" + t.imageRef());
    }

    private Map<String, java.util.List<TemplateImage>> byImage;

    /** Templates whose base image is {@code image}, by name (built once per pass). */
    java.util.List<TemplateImage> templatesUsing(String baseImage) {
        if (byImage == null) {
            byImage = new HashMap<>();
            for (TemplateImage t : image.templates().all()) {
                byImage.computeIfAbsent(t.spec().baseImage(), k -> new java.util.ArrayList<>()).add(t);
            }
        }
        return byImage.getOrDefault(baseImage, java.util.List.of());
    }

    /**
     * Schedulable servers that hold the template's image version landed and keep it in this pass,
     * by index in name order. O(copies of the image), not O(servers).
     */
    java.util.List<Integer> holders(TemplateImage t) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        for (var r : image.images().replicas(t.imageRef()).values()) {
            if (!r.landed()) {
                continue;
            }
            int i = indexOf(r.server());
            if (i >= 0 && servers.get(i).schedulable() && (dropping.isEmpty() || !dropping.contains(r.server() + "\u0000" + t.imageRef()))) {
                out.add(i);
            }
        }
        return out;
    }

    int desired(String template) {
        return desired.getOrDefault(template, 0);
    }

    double utilisation(int i) {
        return CapacityModel.utilisation(servers.get(i).capacity(), cpus[i], memoryMb[i]);
    }

    /** Utilisation of server i if {@code n} more VMs of the template's size landed there. */
    double utilisationWith(int i, TemplateImage t, int n) {
        return CapacityModel.utilisation(servers.get(i).capacity(), cpus[i] + (long) n * t.spec().cpus(),
                memoryMb[i] + n * t.spec().memoryMb());
    }

    int slots(int i, TemplateImage t) {
        return CapacityModel.slots(servers.get(i).capacity(), reservedCpus[i], reservedMemoryMb[i], t.spec().cpus(),
                t.spec().memoryMb());
    }

    /** Adds n new VMs of the template to server i: load and reservation. */
    void add(int i, TemplateImage t, int n) {
        cpus[i] += (long) n * t.spec().cpus();
        memoryMb[i] += n * t.spec().memoryMb();
        reservedCpus[i] += (long) n * t.spec().cpus();
        reservedMemoryMb[i] += n * t.spec().memoryMb();
    }

    /** A VM on server i is retired by this pass: its load goes, its reservation stays until it is deleted. */
    void release(int i, int vmCpus, long vmMemoryMb) {
        cpus[i] -= vmCpus;
        memoryMb[i] -= vmMemoryMb;
    }

    long diskFree(int i) {
        return CapacityModel.diskBytes(servers.get(i).capacity()) - diskBytes[i];
    }

    /**
     * Utilisation the whole grid would run at with every template at its desired size, over the
     * servers that can take work: the level water-filling aims every server at.
     */
    double gridTarget() {
        long capMem = 0;
        long capCpu = 0;
        for (ServerImage s : servers) {
            if (s.schedulable()) {
                capMem += s.capacity().memoryMb();
                capCpu += CapacityModel.vcpus(s.capacity());
            }
        }
        long wantMem = 0;
        long wantCpu = 0;
        for (TemplateImage t : image.templates().all()) {
            wantMem += (long) desired(t.name()) * t.spec().memoryMb();
            wantCpu += (long) desired(t.name()) * t.spec().cpus();
        }
        if (capMem == 0 || capCpu == 0) {
            return 1;
        }
        return Math.max((double) wantMem / capMem, (double) wantCpu / capCpu);
    }
}
