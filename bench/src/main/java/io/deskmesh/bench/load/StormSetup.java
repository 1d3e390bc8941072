package io.deskmesh.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.RecordAuditCommand;
import io.deskmesh.model.record.Role;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Prepares a login storm on a grid: a synthetic base image, a non-persistent template with a fixed
 * pool, N users in a group granted the template, then waits until the pool is built. The template and
 * grant go through the public API as admin; users go through the internal commands endpoint with a
 * pre-made Argon2id hash (the public API hashes every new password on the node's bounded pool, which
 * is slow by design), or through the public API when asked. Not thread-safe.
 */
final class StormSetup {
    /** What to create. {@code tag} keeps the names of one run apart from any other run's. */
    record Plan(String tag, int users, int poolSize, int spare, int cpus, long memoryMb, String password, boolean usersViaApi) {
        String template() {
            return "storm-" + tag;
        }

        String group() {
            return "storm-" + tag;
        }

        List<String> userNames() {
            List<String> out = new ArrayList<>(users);
            for (int i = 1; i <= users; i++) {
                out.add(String.format("u%s%05d", tag, i));
            }
            return out;
        }
    }

    static final String IMAGE = "storm-img";
    private static final int USERS_PER_REQUEST = 250;
    static final Duration QUIET = Duration.ofSeconds(5);

    private final GridClient client;
    private final List<String> urls;
    private final String adminToken;
    private final Report report;
    private int nudges;

    StormSetup(GridClient client, List<String> urls, String adminToken, Report report) {
        this.client = client;
        this.urls = urls;
        this.adminToken = adminToken;
        this.report = report;
    }

    /** Creates everything; returns the seconds user creation took. The pool builds meanwhile. */
    double create(Plan plan, Path cliJar) {
        Answer image = client.internal(urls.get(0), "/internal/v1/images/" + IMAGE + "/1/synthetic?size=" + (4 << 20), "")
                .join();
        if (!image.ok() && image.status() != 409) {
            throw new IllegalStateException("importing the synthetic base image " + IMAGE + " failed: " + image);
        }
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", plan.template());
        t.put("cpus", plan.cpus());
        t.put("memoryMb", plan.memoryMb());
        t.put("baseImage", IMAGE);
        t.put("pool", "non-persistent");
        t.put("desiredVms", 0); // set once every server holds the image, so the pool is spread from the start
        t.put("spareVms", 0);
        t.put("minReplicas", urls.size());
        t.put("idleTimeoutSeconds", 0);
        t.put("disconnectTimeoutSeconds", 0);
        client.call("POST", urls.get(0), "/api/v1/templates", adminToken, t);
        GridView.awaitCopies(client, urls.get(0), IMAGE, urls.size(), Duration.ofSeconds(120));
        client.call("PUT", urls.get(0), "/api/v1/templates/" + plan.template(), adminToken, Map.of("desiredVms", plan.poolSize(),
                "spareVms", plan.spare()));
        report.say("template " + plan.template() + " created: " + plan.poolSize() + " VMs wanted");
        long t0 = System.nanoTime();
        if (plan.usersViaApi()) {
            createUsersViaApi(plan);
        } else {
            createUsersViaCommands(plan, PasswordHashes.hash(plan.password(), cliJar));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        client.call("POST", urls.get(0), "/api/v1/groups", adminToken, Map.of("name", plan.group(), "members", plan.userNames()));
        client.call("POST", urls.get(0), "/api/v1/grants", adminToken, Map.of("template", plan.template(), "group", plan.group()));
        report.say(plan.users() + " users created in " + String.format("%.1f", seconds) + " s, in group " + plan.group()
                + " granted " + plan.template());
        return seconds;
    }

    private void createUsersViaCommands(Plan plan, String hash) {
        List<String> names = plan.userNames();
        List<Supplier<CompletableFuture<?>>> requests = new ArrayList<>();
        for (int from = 0; from < names.size(); from += USERS_PER_REQUEST) {
            List<MeshCommand> batch = new ArrayList<>();
            for (String n : names.subList(from, Math.min(names.size(), from + USERS_PER_REQUEST))) {
                batch.add(new CreateUserCommand(n, hash, Role.USER, ""));
            }
            String url = urls.get(requests.size() % urls.size());
            requests.add(() -> client.commands(url, batch, Duration.ofSeconds(60)).thenAccept(a -> {
                GridClient.expectOk("creating users", a);
                for (JsonNode r : a.json().path("r")) {
                    if ("Failed".equals(r.path("k").asText())) {
                        throw new IllegalStateException("a user was refused: " + r);
                    }
                }
            }));
        }
        List<CompletableFuture<?>> all = new ArrayList<>();
        // One request per front door at a time: enough to keep the leader's batching busy.
        for (int i = 0; i < requests.size(); i += urls.size()) {
            all.clear();
            for (int k = i; k < Math.min(requests.size(), i + urls.size()); k++) {
                all.add(requests.get(k).get());
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        }
    }

    private void createUsersViaApi(Plan plan) {
        Tally tally = new Tally();
        List<Supplier<CompletableFuture<?>>> tasks = new ArrayList<>();
        List<String> names = plan.userNames();
        for (int i = 0; i < names.size(); i++) {
            String url = urls.get(i % urls.size());
            Map<String, Object> body = Map.of("name", names.get(i), "password", plan.password());
            tasks.add(() -> client.post(url, "/api/v1/users", adminToken, GridClient.toJson(body)).thenAccept(tally::record));
        }
        tally.start();
        ClosedLoop.runAll(tasks, 4 * urls.size(), Duration.ofMinutes(20));
        tally.end();
        if (tally.failed() > 0) {
            throw new IllegalStateException("creating users over the API failed: " + tally.failureSummary());
        }
        report.say(String.format("users over the public API: %.1f/s (p50 %.0f ms)", tally.rate(), tally.percentileMillis(50)));
    }

    /**
     * Waits until the template's pool is built: every VM built, the spares running, no session.
     *
     * <p>A node's reconciler acts only when a new image arrives and skips an action on a VM whose
     * previous action completed at the same image index (its stale-image guard). When the grid goes
     * quiet right after the last regeneration, the start planned from that very image is skipped and no
     * later image comes to retry it, so a few VMs can stay stopped for good. When the pool is complete
     * but short of running VMs and the index has not moved for {@link #QUIET} this commits one harmless
     * audit command (a "nudge"); nudges are counted and reported, never hidden.
     */
    long awaitPool(Plan plan, Duration timeout) {
        int running = Math.min(plan.spare(), plan.poolSize());
        long t0 = System.nanoTime();
        long lastIndex = -1;
        long quietSince = t0;
        while (true) {
            JsonNode view = GridView.cluster(client, urls.get(0));
            JsonNode tmpl = GridView.template(view, plan.template());
            boolean complete = tmpl.path("vms").asInt() == plan.poolSize() && GridView.built(tmpl) == plan.poolSize()
                    && tmpl.path("sessions").asInt() == 0;
            if (complete && GridView.byState(tmpl, "running") >= running) {
                return (System.nanoTime() - t0) / 1_000_000;
            }
            long now = System.nanoTime();
            if (view.path("index").asLong() != lastIndex) {
                lastIndex = view.path("index").asLong();
                quietSince = now;
            } else if (complete && now - quietSince > QUIET.toNanos()) {
                nudges++;
                report.say("pool complete but " + (running - GridView.byState(tmpl, "running")) + " spare VM(s) not started"
                        + " and the grid quiet for " + QUIET.toSeconds() + " s: nudging it with one audit command");
                client.commandsNow(urls.get(0), List.of(new RecordAuditCommand("bench", "nudge", "", "", true, "")));
                quietSince = now;
            }
            if (now - t0 > timeout.toNanos()) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for the "
                        + plan.poolSize() + "-VM pool of " + plan.template() + " with " + running + " running and no session;"
                        + " now: " + GridView.summary(view));
            }
            Waits.sleep(Duration.ofMillis(250));
        }
    }

    /** How many times {@link #awaitPool} had to nudge a quiet grid. */
    int nudges() {
        return nudges;
    }
}
