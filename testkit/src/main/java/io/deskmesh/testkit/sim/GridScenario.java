package io.deskmesh.testkit.sim;

import io.deskmesh.model.command.*;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.TemplateSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Seeded generator of grids and of the life of a grid: servers of mixed sizes over a few sites,
 * base images, templates of both pool kinds, users in groups with grants, then random events
 * (logins, log-offs, servers lost, returning, drained and added, pools resized, image rollouts)
 * interleaved with planning rounds. The same seed gives the same log. Not thread-safe.
 */
public final class GridScenario {
    private final SplittableRandom random;
    private final SimulatedGrid grid;
    private int nextServer;
    private int nextUser;

    public GridScenario(long seed, SimulatedGrid grid) {
        this.random = new SplittableRandom(seed);
        this.grid = grid;
    }

    public SimulatedGrid grid() {
        return grid;
    }

    /** Creates the grid with servers, images, templates, users and grants. */
    public GridScenario build(int servers, int templates, int users) {
        check(grid.submit(new CreateGridCommand("sim-grid")));
        List<MeshCommand> batch = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            batch.add(joinCommand());
        }
        checkAll(grid.submit(batch));
        batch.clear();
        for (int i = 0; i < users; i++) {
            batch.add(new CreateUserCommand(user(nextUser++), "hash", i == 0 ? Role.ADMIN : Role.USER, site()));
        }
        checkAll(grid.submit(batch));
        batch.clear();
        for (int g = 0; g < Math.max(1, templates / 2); g++) {
            List<String> members = new ArrayList<>();
            for (int u = 0; u < users; u++) {
                if (random.nextInt(Math.max(1, templates / 2)) == 0) {
                    members.add(user(u));
                }
            }
            batch.add(new CreateGroupCommand(group(g), members));
        }
        checkAll(grid.submit(batch));
        batch.clear();
        List<String> serverNames = grid.image().servers().all().stream().map(ServerImage::name).toList();
        for (int t = 0; t < templates; t++) {
            String origin = serverNames.get(random.nextInt(serverNames.size()));
            batch.add(new RegisterImageVersionCommand(image(t), 1, (1 + random.nextInt(8)) * 1024L * 1024 * 1024,
                    sha(t, 1), 0, origin));
            batch.add(new CreateTemplateCommand(spec(t)));
            batch.add(new CreateGrantCommand(template(t), null, group(t % Math.max(1, templates / 2))));
        }
        checkAll(grid.submit(batch));
        return this;
    }

    /** Runs {@code events} random events, with a planning round after every {@code roundEvery}. */
    public GridScenario live(int events, int roundEvery) {
        for (int e = 0; e < events; e++) {
            event();
            if (e % roundEvery == roundEvery - 1) {
                grid.round(256);
            }
        }
        return this;
    }

    private void event() {
        ClusterImage image = grid.image();
        int dice = random.nextInt(100);
        if (dice < 45) {
            login(image);
        } else if (dice < 75) {
            logoff(image);
        } else if (dice < 80) {
            serverLost(image);
        } else if (dice < 85) {
            serverBack(image);
        } else if (dice < 88) {
            drainOrResume(image);
        } else if (dice < 90) {
            grid.submit(joinCommand());
        } else if (dice < 96) {
            resize(image);
        } else {
            rollout(image);
        }
        grid.advance(random.nextInt(5_000));
    }

    private void login(ClusterImage image) {
        if (image.accounts().users().isEmpty() || image.templates().size() == 0) {
            return;
        }
        List<MeshCommand> storm = new ArrayList<>();
        int n = 1 + random.nextInt(8);
        for (int i = 0; i < n; i++) {
            String u = user(random.nextInt(nextUser));
            String t = template(random.nextInt(image.templates().size()));
            storm.add(new ReserveDesktopCommand(u, t, List.of()));
        }
        grid.submit(storm);
    }

    private void logoff(ClusterImage image) {
        List<SessionImage> live = List.copyOf(image.sessions().all());
        if (live.isEmpty()) {
            return;
        }
        SessionImage s = live.get(random.nextInt(live.size()));
        int how = random.nextInt(3);
        grid.submit(how == 0 ? new EndSessionCommand(s.id(), "logged off")
                : how == 1 ? new DisconnectSessionCommand(s.id()) : new ExpireSessionCommand(s.id(), "idle"));
    }

    private void serverLost(ClusterImage image) {
        List<ServerImage> live = image.servers().live();
        if (live.size() > 2) {
            grid.submit(new MarkServerMissingCommand(live.get(random.nextInt(live.size())).name(), "no heartbeat"));
        }
    }

    private void serverBack(ClusterImage image) {
        List<ServerImage> gone = image.servers().all().stream().filter(ServerImage::missing).toList();
        if (!gone.isEmpty()) {
            ServerImage s = gone.get(random.nextInt(gone.size()));
            grid.submit(new RejoinServerCommand(s.name(), s.address()));
        }
    }

    private void drainOrResume(ClusterImage image) {
        List<ServerImage> all = List.copyOf(image.servers().all());
        ServerImage s = all.get(random.nextInt(all.size()));
        grid.submit(s.draining() ? new ResumeServerCommand(s.name()) : new DrainServerCommand(s.name()));
    }

    private void resize(ClusterImage image) {
        List<TemplateImage> all = List.copyOf(image.templates().all());
        TemplateImage t = all.get(random.nextInt(all.size()));
        DesiredVms d = random.nextInt(4) == 0 ? DesiredVms.AUTO : DesiredVms.of(Math.max(t.spec().spareVms(), random.nextInt(60)));
        grid.submit(new UpdateTemplateCommand(t.spec().withDesiredVms(d)));
    }

    private void rollout(ClusterImage image) {
        List<TemplateImage> all = List.copyOf(image.templates().all());
        TemplateImage t = all.get(random.nextInt(all.size()));
        int next = t.spec().imageVersion() + 1;
        List<ServerImage> live = image.servers().live();
        if (live.isEmpty()) {
            return;
        }
        String origin = live.get(random.nextInt(live.size())).name();
        grid.submit(List.of(
                new RegisterImageVersionCommand(t.spec().baseImage(), next, 2L * 1024 * 1024 * 1024, sha(next, next),
                        t.spec().imageVersion(), origin),
                new UpdateTemplateCommand(t.spec().withImageVersion(next))));
    }

    /** A join command for the next server: sizes vary so balancing has work to do. */
    public JoinServerCommand joinCommand() {
        int i = nextServer++;
        int cores = 8 << random.nextInt(3);
        long mem = cores * 4096L;
        return new JoinServerCommand(String.format(Locale.ROOT, "srv-%03d", i), site(),
                String.format(Locale.ROOT, "10.0.%d.%d:8443", i / 250, i % 250 + 1), new Capacity(cores, mem, 2_000_000));
    }

    private TemplateSpec spec(int t) {
        boolean persistent = random.nextInt(4) == 0;
        int desired = 5 + random.nextInt(40);
        return new TemplateSpec(template(t), 1 + random.nextInt(4), 1024L * (1 + random.nextInt(4)), image(t), 0,
                persistent ? PoolKind.PERSISTENT : PoolKind.NON_PERSISTENT, DesiredVms.of(desired), random.nextInt(3),
                2, 1800, 600);
    }

    private String site() {
        return "site-" + (char) ('a' + random.nextInt(3));
    }

    public static String user(int i) {
        return "user" + i;
    }

    public static String template(int t) {
        return String.format(Locale.ROOT, "tpl-%03d", t);
    }

    static String image(int t) {
        return String.format(Locale.ROOT, "img-%03d", t);
    }

    static String group(int g) {
        return "group-" + g;
    }

    static String sha(int a, int b) {
        return String.format(Locale.ROOT, "%032x%032x", a, b);
    }

    private static void check(Reply r) {
        if (!r.ok()) {
            throw new IllegalStateException("scenario setup refused: " + r);
        }
    }

    private static void checkAll(List<Reply> replies) {
        replies.forEach(GridScenario::check);
    }
}
