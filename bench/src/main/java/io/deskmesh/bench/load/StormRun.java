package io.deskmesh.bench.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code GridLoad storm}: a login storm against a 3-process grid (started here, or given with
 * {@code --nodes}). After the setup ({@link StormSetup}) it runs three phases and prints each as a
 * markdown table:
 * <ol>
 *   <li>(a) password logins: every user logs in once, C clients over all front doors;</li>
 *   <li>(b) connects by callers that hold a token, C at a time; then the check that no VM went to two
 *       sessions, and log-off of everyone;</li>
 *   <li>(c) connect latency of half the users alone, then of the other half while a password storm runs.</li>
 * </ol>
 * Not thread-safe: one run per instance.
 */
final class StormRun {
    private final LoadOptions o;
    private final Report report;
    private final GridSession grid;
    private final StormSetup.Plan plan;
    private final int concurrency;
    private final int connectConcurrency;
    private final Duration phaseLimit;
    private final Profiler profiler;

    StormRun(LoadOptions o, Report report, GridSession grid) {
        this.o = o;
        this.report = report;
        this.grid = grid;
        int pool = o.integer("pool", 1, 100_000);
        this.plan = new StormSetup.Plan(GridSession.tag(), o.integer("users", 2, 100_000), pool,
                o.isSet("spare") ? o.integer("spare", 0, 10_000) : Math.min(pool, 10_000), o.integer("vm-cpus", 1, 64),
                o.integer("vm-memory-mb", 64, 1 << 20), grid.userPassword(), "api".equals(o.string("users-via")));
        this.concurrency = o.integer("concurrency", 1, 4096);
        this.connectConcurrency = o.isSet("connect-concurrency") ? o.integer("connect-concurrency", 1, 4096) : concurrency;
        this.phaseLimit = o.seconds("phase-timeout", 10, 3600);
        this.profiler = new Profiler(grid.local(), grid.runDir(), o.string("jfr-phase"), o.string("jfr-settings"), report);
    }

    void run() {
        StormSetup setup = prepare();
        Map<String, Long> termsBefore = grid.terms();
        LoginStorm logins = new LoginStorm(grid.client(), grid.urls(), plan.password());
        Map<String, String> tokens = passwordLogins(logins);
        ConnectStorm connects = new ConnectStorm(grid.client(), grid.urls());
        Tally probe = warmUpAndProbe(connects, setup, tokens);
        connectAll(connects, setup, tokens, probe);
        connectUnderStorm(connects, logins, setup, tokens);
        Map<String, Long> termsAfter = grid.terms();
        report.out("Waits for the pool to be clean needed " + setup.nudges() + " nudge(s) of a quiet grid (see"
                + " StormSetup.awaitPool: spare VMs left stopped by the reconciler's stale-image guard until another write"
                + " arrives).");
        report.out("Raft terms before (a) and after (c): " + termsBefore + " → " + termsAfter
                + (termsBefore.equals(termsAfter) ? " (no election during the storms)" : " (an election happened)"));
    }

    /** Users, group, grant and pool; prints the setup table. */
    private StormSetup prepare() {
        StormSetup setup = new StormSetup(grid.client(), grid.urls(), grid.adminToken(), report);
        double usersSeconds = setup.create(plan, grid.cliJar());
        long poolMs = setup.awaitPool(plan, o.seconds("pool-timeout", 10, 3600));
        report.say("pool of " + plan.poolSize() + " built " + poolMs + " ms after the users were created");
        report.out("### storm: setup\n\n" + new Table("what", "value")
                .row("grid", grid.describe())
                .row("users", plan.users() + " (created in " + Table.cell(usersSeconds) + " s via " + (plan.usersViaApi()
                        ? "POST /api/v1/users" : "POST /internal/v1/commands, pre-hashed") + ")")
                .row("pool", plan.poolSize() + " non-persistent VMs of " + plan.cpus() + " vCPU / " + plan.memoryMb()
                        + " MiB, " + plan.spare() + " kept powered on; built in " + Table.cell(poolMs / 1000.0)
                        + " s after the users")
                .row("clients", concurrency + " (logins), " + connectConcurrency + " (connects), HTTP/1.1 keep-alive")
                .row("warm-up", "before (b), the first " + o.string("connect-warmup") + " users connect and log off,"
                        + " unmeasured; then " + o.string("probe") + " connect one at a time"));
        return setup;
    }

    /** Phase (a): every user logs in once; returns their tokens. */
    private Map<String, String> passwordLogins(LoginStorm logins) {
        profiler.start("a");
        CpuMeter.Snapshot cpu0 = CpuMeter.now(grid.local());
        LoginStorm.Result a = logins.logInAll(plan.userNames(), concurrency, phaseLimit);
        String cpu = CpuMeter.between(cpu0, CpuMeter.now(grid.local()), a.requests().successes(), "login");
        profiler.stop("a");
        StormTables.logins(report, a, grid.byName(a.verificationsByNode()), plan.users(), concurrency);
        report.out(cpu);
        if (a.tokens().size() < plan.users()) {
            report.say("only " + a.tokens().size() + " of " + plan.users() + " users got a token; going on with them");
        }
        return a.tokens();
    }

    /**
     * Unmeasured connects and log-offs of the first users, so phase (b) does not time the JIT compiling
     * the path; then a probe of connects one at a time (the latency of a connect on an idle grid).
     */
    private Tally warmUpAndProbe(ConnectStorm connects, StormSetup setup, Map<String, String> tokens) {
        int n = Math.min(o.integer("connect-warmup", 0, 100_000), plan.users());
        Duration poolTimeout = o.seconds("pool-timeout", 10, 3600);
        if (n > 0) {
            long t0 = System.nanoTime();
            ConnectStorm.Result w = connects.connect(plan.userNames().subList(0, n), tokens, plan.template(),
                    connectConcurrency, 0, phaseLimit);
            connects.logOff(w.desktops(), connectConcurrency, phaseLimit);
            setup.awaitPool(plan, poolTimeout);
            report.say("warm-up: " + w.desktops().size() + " connects and log-offs, pool clean again, in "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
        int probe = Math.min(o.integer("probe", 0, 10_000), plan.users());
        ConnectStorm.Result p = connects.connect(plan.userNames().subList(0, probe), tokens, plan.template(), 1, 0, phaseLimit);
        connects.logOff(p.desktops(), 1, phaseLimit);
        setup.awaitPool(plan, poolTimeout);
        return p.tally();
    }

    /** Phase (b): everyone connects at once; uniqueness; everyone logs off. */
    private void connectAll(ConnectStorm connects, StormSetup setup, Map<String, String> tokens, Tally probe) {
        report.say("(b) " + tokens.size() + " connects at concurrency " + connectConcurrency);
        profiler.start("b");
        CpuMeter.Snapshot cpu0 = CpuMeter.now(grid.local());
        ConnectStorm.Result b = connects.connect(plan.userNames(), tokens, plan.template(), connectConcurrency, 1, phaseLimit);
        String cpu = CpuMeter.between(cpu0, CpuMeter.now(grid.local()), b.tally().successes(), "connect");
        profiler.stop("b");
        ConnectStorm.Uniqueness u = connects.check(grid.adminToken(), plan.template(), b.desktops());
        Tally off = connects.logOff(b.desktops(), connectConcurrency, phaseLimit);
        StormTables.connects(report, b.tally(), probe, u, off, connectConcurrency);
        report.out(cpu);
        long clean = setup.awaitPool(plan, o.seconds("pool-timeout", 10, 3600));
        report.say("pool clean again (regenerated) " + clean + " ms after the log-offs");
    }

    /** Phase (c): half the users connect alone, the other half during a password storm. */
    private void connectUnderStorm(ConnectStorm connects, LoginStorm logins, StormSetup setup, Map<String, String> tokens) {
        List<String> users = plan.userNames();
        List<String> first = new ArrayList<>(users.subList(0, users.size() / 2));
        List<String> second = new ArrayList<>(users.subList(users.size() / 2, users.size()));
        Duration poolTimeout = o.seconds("pool-timeout", 10, 3600);

        report.say("(c) " + first.size() + " connects alone");
        profiler.start("c-alone");
        CpuMeter.Snapshot cpu0 = CpuMeter.now(grid.local());
        ConnectStorm.Result alone = connects.connect(first, tokens, plan.template(), connectConcurrency, 2, phaseLimit);
        String cpuAlone = CpuMeter.between(cpu0, CpuMeter.now(grid.local()), alone.tally().successes(), "connect");
        profiler.stop("c-alone");
        ConnectStorm.Uniqueness u1 = connects.check(grid.adminToken(), plan.template(), alone.desktops());
        connects.logOff(alone.desktops(), connectConcurrency, phaseLimit);
        setup.awaitPool(plan, poolTimeout);

        int stormClients = o.isSet("storm-concurrency") ? o.integer("storm-concurrency", 1, 4096) : concurrency;
        report.say("(c) password storm of " + stormClients + " clients, then " + second.size() + " connects");
        LoginStorm.Background storm = logins.background(users, stormClients, 42);
        Waits.sleep(Duration.ofSeconds(o.integer("storm-warmup-seconds", 0, 600)));
        int stormOkBefore = storm.tally.successes();
        profiler.start("c-storm");
        CpuMeter.Snapshot cpu1 = CpuMeter.now(grid.local());
        ConnectStorm.Result during = connects.connect(second, tokens, plan.template(), connectConcurrency, 2, phaseLimit);
        String cpuDuring = CpuMeter.between(cpu1, CpuMeter.now(grid.local()), 0, "connect");
        profiler.stop("c-storm");
        double stormRateDuring = (storm.tally.successes() - stormOkBefore) / during.tally().seconds();
        Tally stormTally = storm.stop();
        ConnectStorm.Uniqueness u2 = connects.check(grid.adminToken(), plan.template(), during.desktops());
        connects.logOff(during.desktops(), connectConcurrency, phaseLimit);
        StormTables.underStorm(report, alone.tally(), during.tally(), u1, u2, stormTally, stormRateDuring,
                grid.byName(storm.verificationsByNode()), connectConcurrency, stormClients);
        report.out("Connects alone: " + cpuAlone + "\n\nConnects during the storm (logins included): " + cpuDuring);
        setup.awaitPool(plan, poolTimeout);
    }
}
