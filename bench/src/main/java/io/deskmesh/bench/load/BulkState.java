package io.deskmesh.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.model.command.AllocateVmsCommand;
import io.deskmesh.model.command.JoinServerCommand;
import io.deskmesh.model.command.LandReplicaCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.ReportVmCreatedCommand;
import io.deskmesh.model.command.StartReplicaTransferCommand;
import io.deskmesh.model.record.Capacity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * Builds a large grid state quickly through {@code POST /internal/v1/commands}: "bulk" servers that
 * are records only (no node runs them), each holding a landed copy of the base image and thousands of
 * built VMs ({@code AllocateVms} in chunks of 1,000, then {@code ReportVmCreated} per VM, as a host
 * would report them).
 *
 * <p>Why servers of records and not the real nodes: a node compares its hypervisor with the image
 * every 10 s and reports VMs its host does not have as unhealthy (to be replaced), so VMs reported
 * built on a real node's sim host without being created there would be churned away; and letting the
 * reconcilers build 100,000 VMs is too slow (see the README). The bulk servers give the real nodes'
 * HTTP address, so the leader's failure detector finds them answering and never records them
 * missing; no reconciler acts for them, so their VMs stay as built. Not thread-safe.
 */
final class BulkState {
    /** How long each stage took. */
    record Built(int vms, double allocateSeconds, double createdSeconds, int requests) {
    }

    static final int ALLOCATION = 1_000;
    private final GridClient client;
    private final List<String> urls;
    private final Report report;

    BulkState(GridClient client, List<String> urls, Report report) {
        this.client = client;
        this.urls = urls;
        this.report = report;
    }

    /** Records {@code count} bulk servers answering at {@code address}, each with a landed copy of the image. */
    List<String> addServers(int count, String address, String image, int version, String source, Capacity capacity) {
        List<String> names = new ArrayList<>();
        List<MeshCommand> commands = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            String name = String.format(Locale.ROOT, "bulk-%02d", i);
            names.add(name);
            commands.add(new JoinServerCommand(name, "", address, capacity));
            commands.add(new StartReplicaTransferCommand(image, version, name, source));
            commands.add(new LandReplicaCommand(image, version, name));
        }
        requireAllOk("recording bulk servers", client.commandsNow(urls.get(0), commands));
        return names;
    }

    /** Allocates {@code perServer} VMs of {@code template} on every server and reports each built. */
    Built build(String template, List<String> servers, int perServer, int allocationsPerRequest, int createdPerRequest,
                int concurrency) {
        List<List<MeshCommand>> allocations = new ArrayList<>();
        List<MeshCommand> current = new ArrayList<>();
        for (String s : servers) {
            for (int left = perServer; left > 0; left -= ALLOCATION) {
                current.add(new AllocateVmsCommand(template, s, Math.min(ALLOCATION, left)));
                if (current.size() == allocationsPerRequest) {
                    allocations.add(current);
                    current = new ArrayList<>();
                }
            }
        }
        if (!current.isEmpty()) {
            allocations.add(current);
        }
        ConcurrentLinkedQueue<String> vmIds = new ConcurrentLinkedQueue<>();
        long t0 = System.nanoTime();
        send(allocations, concurrency, replies -> replies.forEach(r -> r.path("vmIds").forEach(id -> vmIds.add(id.asText()))));
        double allocate = (System.nanoTime() - t0) / 1e9;
        report.say(vmIds.size() + " VMs allocated in " + String.format("%.1f", allocate) + " s");

        List<List<MeshCommand>> created = new ArrayList<>();
        List<String> ids = new ArrayList<>(vmIds);
        for (int from = 0; from < ids.size(); from += createdPerRequest) {
            List<MeshCommand> batch = new ArrayList<>();
            for (int k = from; k < Math.min(ids.size(), from + createdPerRequest); k++) {
                batch.add(new ReportVmCreatedCommand(ids.get(k), mac(k)));
            }
            created.add(batch);
        }
        long t1 = System.nanoTime();
        send(created, concurrency, replies -> { });
        double createdSeconds = (System.nanoTime() - t1) / 1e9;
        report.say(ids.size() + " VMs reported built in " + String.format("%.1f", createdSeconds) + " s");
        return new Built(ids.size(), allocate, createdSeconds, allocations.size() + created.size());
    }

    private void send(List<List<MeshCommand>> requests, int concurrency, java.util.function.Consumer<List<JsonNode>> onReplies) {
        List<Supplier<CompletableFuture<?>>> tasks = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (int i = 0; i < requests.size(); i++) {
            String url = urls.get(i % urls.size());
            List<MeshCommand> batch = requests.get(i);
            tasks.add(() -> client.commands(url, batch, Duration.ofSeconds(120)).thenAccept(a -> {
                GridClient.expectOk("bulk commands", a);
                List<JsonNode> replies = new ArrayList<>();
                a.json().path("r").forEach(replies::add);
                requireAllOk("bulk commands", replies);
                onReplies.accept(replies);
            }).exceptionally(e -> {
                failure.compareAndSet(null, e);
                return null;
            }));
        }
        int ran = ClosedLoop.runAll(tasks, concurrency, Duration.ofMinutes(20));
        if (failure.get() != null) {
            throw new IllegalStateException("building the bulk state failed: " + failure.get().getMessage(), failure.get());
        }
        if (ran < tasks.size()) {
            throw new IllegalStateException("only " + ran + " of " + tasks.size() + " bulk requests ran in time");
        }
    }

    /** A MAC under DeskMesh's prefix, from the top of the suffix space so it rarely meets the hash-derived ones. */
    private static String mac(int k) {
        int suffix = 0xffffff - k;
        return String.format(Locale.ROOT, "02:de:5c:%02x:%02x:%02x", (suffix >> 16) & 0xff, (suffix >> 8) & 0xff, suffix & 0xff);
    }

    private static void requireAllOk(String what, List<JsonNode> replies) {
        for (JsonNode r : replies) {
            if ("Failed".equals(r.path("k").asText())) {
                throw new IllegalStateException(what + ": a command was refused: " + r);
            }
        }
    }
}
