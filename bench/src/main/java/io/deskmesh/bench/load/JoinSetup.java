package io.deskmesh.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.model.command.RecordAuditCommand;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The grid preparations of {@code GridLoad join}: the base image, the real pool the nodes build
 * themselves, the bulk template, and padding entries. Templates go through the public API as admin.
 * Not thread-safe.
 */
final class JoinSetup {
    static final String IMAGE = "join-img";
    /**
     * The bulk template's own base image: were it the real pool's, the bulk servers would hold the real
     * pool's image too, and the planners would place replacement VMs of the real pool on them, where no
     * node would ever build them.
     */
    static final String BULK_IMAGE = "bulk-img";
    private static final int PAD_CLIENTS = 6;

    private final GridClient client;
    private final List<String> urls;
    private final String adminToken;
    private final Report report;

    JoinSetup(GridClient client, List<String> urls, String adminToken, Report report) {
        this.client = client;
        this.urls = urls;
        this.adminToken = adminToken;
        this.report = report;
    }

    /** Imports the image on the first node and builds a pool of {@code count} VMs on every node; returns its name. */
    String realPool(String name, int count, Duration timeout) {
        importImage(IMAGE);
        client.call("POST", urls.get(0), "/api/v1/templates", adminToken, template(name, IMAGE, 256, 0, urls.size()));
        GridView.awaitCopies(client, urls.get(0), IMAGE, urls.size(), timeout);
        setDesired(name, count);
        long ms = Waits.until(count + " VMs of " + name + " built on " + urls.size() + " servers", timeout,
                Duration.ofMillis(250), () -> {
                    JsonNode t = GridView.template(GridView.cluster(client, urls.get(0)), name);
                    return t.path("vms").asInt() == count && GridView.built(t) == count && t.path("byServer").size() == urls.size();
                }, () -> GridView.summary(client, urls.get(0)));
        report.say("real pool " + name + " of " + count + " VMs built by the reconcilers in " + ms + " ms");
        return name;
    }

    /** Imports the bulk image on the first node (the bulk servers copy it from there). */
    void importBulkImage() {
        importImage(BULK_IMAGE);
    }

    /** A template for the bulk VMs, created with no desired VMs so no reconciler builds any. */
    String bulkTemplate(String name) {
        client.call("POST", urls.get(0), "/api/v1/templates", adminToken, template(name, BULK_IMAGE, 64, 0, 1));
        return name;
    }

    private void importImage(String image) {
        GridClient.expectOk("synthetic base image " + image, client.internal(urls.get(0), "/internal/v1/images/" + image
                + "/1/synthetic?size=" + (4 << 20), "").join());
    }

    /** Sets the bulk template's pool to what it holds, so the planners find the pool as it should be. */
    void setDesired(String name, int vms) {
        client.call("PUT", urls.get(0), "/api/v1/templates/" + name, adminToken, Map.of("desiredVms", vms));
    }

    /** Whether every live node applied the same index and shows {@code vms} VMs. */
    boolean sameEverywhere(int vms) {
        Long index = null;
        for (String u : urls) {
            JsonNode v = GridView.cluster(client, u);
            if (v.path("totals").path("vms").asInt() != vms || (index != null && index != v.path("index").asLong())) {
                return false;
            }
            index = v.path("index").asLong();
        }
        return true;
    }

    /**
     * Commits log entries of one audit command each until the leader's applied index reaches
     * {@code target} (Ratis adds a metadata entry after most of them, which also counts toward its
     * snapshot interval): a few clients spread over the nodes never fill a submitter's in-flight
     * window, so none groups two. Returns the requests sent.
     */
    long padTo(String leaderUrl, long target) {
        String body = GridClient.commandsBody(List.of(new RecordAuditCommand("bench", "pad", "", "", true, "")));
        AtomicLong sent = new AtomicLong();
        while (true) {
            long index = GridView.raft(client, leaderUrl).path("appliedIndex").asLong();
            if (index >= target) {
                return sent.get();
            }
            long chunk = Math.min(600, Math.max(PAD_CLIENTS, (target - index) / 2 + 1));
            long stop = sent.get() + chunk;
            ClosedLoop.run(() -> sent.incrementAndGet() > stop ? null : () -> client.commands(
                    urls.get((int) (sent.get() % urls.size())), body, Duration.ofSeconds(30)), PAD_CLIENTS, Duration.ofMinutes(10));
            sent.set(stop);
        }
    }

    private static Map<String, Object> template(String name, String image, long memoryMb, int desired, int minReplicas) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", name);
        t.put("cpus", 1);
        t.put("memoryMb", memoryMb);
        t.put("baseImage", image);
        t.put("pool", "non-persistent");
        t.put("desiredVms", desired);
        t.put("spareVms", 0);
        t.put("minReplicas", minReplicas);
        t.put("idleTimeoutSeconds", 0);
        t.put("disconnectTimeoutSeconds", 0);
        return t;
    }
}
