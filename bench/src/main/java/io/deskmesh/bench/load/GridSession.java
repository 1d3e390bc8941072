package io.deskmesh.bench.load;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The grid one harness run talks to: a {@link LocalGrid} started for the run, or the nodes given with
 * {@code --nodes}; with the grid token, the admin's password and token, and the HTTP client. Closing
 * it stops what the run started. Not thread-safe.
 */
final class GridSession implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String TAG = randomLetters(4);

    private final LocalGrid local;
    private final List<String> targets;
    private final GridClient client;
    private final String adminUser;
    private final String adminPassword;
    private final Path cliJar;
    private final Path runDir;
    private final String userPassword = "pw-" + HexFormat.of().formatHex(RANDOM.generateSeed(6));
    private String adminToken;

    private GridSession(LocalGrid local, List<String> targets, GridClient client, String adminUser, String adminPassword,
                        Path cliJar, Path runDir) {
        this.local = local;
        this.targets = targets;
        this.client = client;
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
        this.cliJar = cliJar;
        this.runDir = runDir;
    }

    /** Starts {@code count} nodes, or takes {@code --nodes}. */
    static GridSession open(LoadOptions o, Report report, Path runDir, int count) {
        Path jar = Path.of(o.string("cli-jar")).toAbsolutePath();
        if (o.isSet("nodes")) {
            if (!o.isSet("token") || !o.isSet("admin-password")) {
                throw new IllegalArgumentException("--nodes needs --token (the grid's join token, for the internal"
                        + " endpoints) and --admin-password (of --admin-user, default admin)");
            }
            List<String> urls = o.list("nodes").stream().map(u -> u.startsWith("http") ? u : "http://" + u).toList();
            return new GridSession(null, urls, new GridClient(o.string("token")), o.string("admin-user"),
                    o.string("admin-password"), jar, runDir);
        }
        String token = "gridload-" + HexFormat.of().formatHex(RANDOM.generateSeed(12));
        String admin = o.isSet("admin-password") ? o.string("admin-password") : "admin-" + randomLetters(12);
        Path dist = LocalGrid.copyDist(jar, runDir);
        List<String> jvm = new ArrayList<>(o.list("node-jvm-args").stream().flatMap(s -> List.of(s.split("\\s+")).stream()).toList());
        if (o.flag("jfr")) {
            jvm.add("-XX:StartFlightRecording=filename=" + runDir.resolve("{name}.jfr") + ",settings=profile,dumponexit=true");
        }
        NodeJvm.Settings settings = new NodeJvm.Settings(dist, token, admin, o.integer("sim-cpus", 1, 1 << 20),
                o.integer("sim-memory-mb", 1024, Integer.MAX_VALUE), o.integer("sim-disk-mb", 1024, Integer.MAX_VALUE),
                o.integer("missing-after", 1, 3600), jvm);
        GridClient client = new GridClient(token);
        LocalGrid grid = LocalGrid.start(runDir, settings, count, client, report);
        return new GridSession(grid, null, client, "admin", admin, dist, runDir);
    }

    /** A short random tag that keeps one run's names (users, template) apart from another's on the same grid. */
    static String tag() {
        return TAG;
    }

    GridClient client() {
        return client;
    }

    /** The front doors: the live local nodes, or {@code --nodes}. */
    List<String> urls() {
        return local != null ? local.urls() : targets;
    }

    /** The local grid, or null when the run targets given nodes. */
    LocalGrid local() {
        return local;
    }

    Path cliJar() {
        return cliJar;
    }

    /** Where this run's logs, report and recordings go. */
    Path runDir() {
        return runDir;
    }

    String userPassword() {
        return userPassword;
    }

    /** The admin's API token, logging in on first use (retrying while the grid settles). */
    String adminToken() {
        if (adminToken == null) {
            String body = GridClient.toJson(Map.of("username", adminUser, "password", adminPassword));
            Answer[] last = new Answer[1];
            Waits.until("admin login", Duration.ofSeconds(60), Duration.ofMillis(500), () -> {
                last[0] = client.post(urls().get(0), "/api/v1/auth/login", null, body).join();
                if (last[0].status() == 401) {
                    throw new IllegalStateException("the admin password was refused: " + last[0]);
                }
                return last[0].ok();
            }, () -> String.valueOf(last[0]));
            adminToken = last[0].json().path("token").asText();
        }
        return adminToken;
    }

    /** Each node's Raft term, by URL, to tell whether an election happened. */
    Map<String, Long> terms() {
        Map<String, Long> out = new TreeMap<>();
        for (String url : urls()) {
            try {
                out.put(nameOf(url), GridView.raft(client, url).path("term").asLong());
            } catch (RuntimeException e) {
                out.put(url, -1L);
            }
        }
        return out;
    }

    /** A node's name for a URL of the local grid (the URL itself for given nodes). */
    String nameOf(String url) {
        if (local != null) {
            for (NodeJvm n : local.nodes()) {
                if (n.url().equals(url)) {
                    return n.name();
                }
            }
        }
        return url.replace("http://", "");
    }

    /** The same map with node names for URLs. */
    <V> Map<String, V> byName(Map<String, V> byUrl) {
        Map<String, V> out = new TreeMap<>();
        byUrl.forEach((k, v) -> out.put(nameOf(k), v));
        return out;
    }

    String describe() {
        if (local == null) {
            return "targeted: " + String.join(", ", targets);
        }
        NodeJvm.Settings s = local.settings();
        return local.nodes().size() + " node JVMs on loopback, sim hosts of " + s.simCpus() + " cores / " + s.simMemoryMb()
                + " MiB each";
    }

    @Override
    public void close() {
        if (local != null) {
            local.close();
        }
        client.close();
    }

    private static String randomLetters(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append((char) ('a' + RANDOM.nextInt(26)));
        }
        return b.toString();
    }
}
