package io.deskmesh.bench.load;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/**
 * Desktop connects by callers that already hold a token ({@code POST /api/v1/desktops/{t}/connect}),
 * spread over every front door at a fixed concurrency; then the check that no VM went to two
 * sessions, and log-off of every session. Thread-safe.
 */
final class ConnectStorm {
    /** A desktop one connect got. */
    record Desktop(String user, String token, String sessionId, String vm, String server) {
    }

    /** The connects' tally and the desktops they got. */
    record Result(Tally tally, List<Desktop> desktops) {
    }

    /**
     * What the grid and the answers say about uniqueness.
     *
     * @param sessionsListed sessions of the template that {@code GET /api/v1/sessions} lists (as admin)
     * @param distinctListedVms distinct VMs among them
     * @param answered       successful connects
     * @param distinctAnsweredVms distinct VMs among their answers
     * @param distinctSessions distinct session ids among their answers
     */
    record Uniqueness(int sessionsListed, int distinctListedVms, int answered, int distinctAnsweredVms, int distinctSessions) {
        boolean holds() {
            return sessionsListed == distinctListedVms && answered == distinctAnsweredVms && answered == distinctSessions
                    && sessionsListed == answered;
        }
    }

    private final GridClient client;
    private final List<String> urls;

    ConnectStorm(GridClient client, List<String> urls) {
        this.client = client;
        this.urls = List.copyOf(urls);
    }

    /** Connects each user once at {@code concurrency}; user i goes to front door (i + shift) mod n. */
    Result connect(List<String> users, Map<String, String> tokens, String template, int concurrency, int shift,
                   Duration within) {
        Tally tally = new Tally();
        ConcurrentLinkedQueue<Desktop> desktops = new ConcurrentLinkedQueue<>();
        List<Supplier<CompletableFuture<?>>> tasks = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            String user = users.get(i);
            String token = tokens.get(user);
            if (token == null) {
                continue;
            }
            String url = urls.get((i + shift) % urls.size());
            tasks.add(() -> client.post(url, "/api/v1/desktops/" + template + "/connect", token, null).thenAccept(a -> {
                tally.record(a);
                if (a.ok()) {
                    JsonNode j = a.json();
                    desktops.add(new Desktop(user, token, j.path("sessionId").asText(), j.path("vm").asText(),
                            j.path("server").asText()));
                }
            }));
        }
        tally.start();
        ClosedLoop.runAll(tasks, concurrency, within);
        tally.end();
        return new Result(tally, List.copyOf(desktops));
    }

    /** Compares the sessions the grid lists (as admin) with the desktops the connects got. */
    Uniqueness check(String adminToken, String template, List<Desktop> desktops) {
        JsonNode listed = client.get(urls.get(0), "/api/v1/sessions?template=" + template, adminToken).path("sessions");
        Set<String> vms = new HashSet<>();
        listed.forEach(s -> vms.add(s.path("vm").asText()));
        Set<String> answeredVms = new HashSet<>();
        Set<String> sessions = new HashSet<>();
        desktops.forEach(d -> {
            answeredVms.add(d.vm());
            sessions.add(d.sessionId());
        });
        return new Uniqueness(listed.size(), vms.size(), desktops.size(), answeredVms.size(), sessions.size());
    }

    /** Logs every desktop's session off with its user's token ({@code DELETE /api/v1/sessions/{id}}). */
    Tally logOff(List<Desktop> desktops, int concurrency, Duration within) {
        Tally tally = new Tally();
        List<Supplier<CompletableFuture<?>>> tasks = new ArrayList<>();
        for (int i = 0; i < desktops.size(); i++) {
            Desktop d = desktops.get(i);
            String url = urls.get(i % urls.size());
            tasks.add(() -> client.send("DELETE", url, "/api/v1/sessions/" + d.sessionId(), d.token(), null,
                    GridClient.TIMEOUT).thenAccept(tally::record));
        }
        tally.start();
        ClosedLoop.runAll(tasks, concurrency, within);
        tally.end();
        return tally;
    }
}
