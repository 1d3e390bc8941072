package io.deskmesh.bench;

import io.deskmesh.model.command.CreateGrantCommand;
import io.deskmesh.model.command.CreateGridCommand;
import io.deskmesh.model.command.CreateGroupCommand;
import io.deskmesh.model.command.CreateTemplateCommand;
import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.command.JoinServerCommand;
import io.deskmesh.model.command.MarkServerMissingCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.RegisterImageVersionCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.plan.CapacityModel;
import io.deskmesh.model.plan.Plan;
import io.deskmesh.model.plan.PlanAction;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.testkit.sim.ActionOutcomes;
import io.deskmesh.testkit.sim.SimulatedGrid;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Placement quality: starts from an empty grid of a {@link GridShape} whose 200 templates want
 * enough VMs to fill memory to {@link #FILL}, lets the planners converge through
 * {@link SimulatedGrid} (every action succeeds at once, outcomes applied in log entries of
 * {@value #BATCH} commands), and measures how evenly the servers ended up loaded. Then records 5% of
 * the servers missing and converges again. Not thread-safe.
 */
public final class ConvergenceRun {
    public static final double FILL = 0.60;
    static final int USERS_PER_GROUP = 10;
    static final int BATCH = 512;

    /**
     * What one convergence produced.
     *
     * @param converged whether a plan came out empty within the round and time limits
     * @param rounds    planning rounds that had actions
     * @param actions   actions planned over all rounds
     * @param vms       VMs in the image afterwards
     * @param meanPct   mean utilisation of schedulable servers, percent
     * @param minPct    least utilised schedulable server, percent
     * @param maxPct    most utilised schedulable server, percent
     * @param notes     notes of the last plan: VMs that found no room and the like
     * @param failed    outcome commands refused on the way
     * @param lastPlan  when not converged, the last plan's actions counted by kind
     * @param seconds   wall time
     */
    public record Outcome(boolean converged, int rounds, long actions, int vms, double meanPct, double minPct,
                          double maxPct, int notes, long failed, String lastPlan, double seconds) {
        public double spreadPp() {
            return maxPct - minPct;
        }
    }

    /** Both runs for one grid size. */
    public record Result(int servers, int desiredVms, Outcome fill, Outcome afterLoss) {
    }

    private final GridShape shape;
    private final SimulatedGrid grid = new SimulatedGrid();

    private final int maxRounds;
    private final double maxSeconds;

    /** A run on {@code servers} servers that gives up on a phase after {@code maxRounds} rounds or {@code maxSeconds}. */
    public ConvergenceRun(int servers, int maxRounds, double maxSeconds) {
        this.shape = new GridShape(servers, SyntheticGrid.vmsFor(servers), FILL);
        this.maxRounds = maxRounds;
        this.maxSeconds = maxSeconds;
    }

    public Result run() {
        Outcome fill = fill();
        List<MeshCommand> lose = new ArrayList<>();
        List<ServerImage> all = List.copyOf(grid.image().servers().all());
        int n = Math.max(1, (int) Math.round(all.size() * 0.05));
        for (int i = 0; i < n; i++) {
            lose.add(new MarkServerMissingCommand(all.get((int) ((i + 0.5) * all.size() / n)).name(), "no heartbeat for 30s"));
        }
        submit(lose);
        Outcome afterLoss = converge(maxRounds, maxSeconds);
        return new Result(shape.servers(), shape.vms(), fill, afterLoss);
    }

    /** The first phase alone: sets the empty grid up and converges it. */
    public Outcome fill() {
        setUp();
        return converge(maxRounds, maxSeconds);
    }

    /** The simulated grid, as the last phase left it (for diagnosis). */
    public SimulatedGrid grid() {
        return grid;
    }

    /** The grid's image as the last phase left it. */
    public ClusterImage image() {
        return grid.image();
    }

    private void setUp() {
        submit(List.of(new CreateGridCommand("bench-grid")));
        List<MeshCommand> batch = new ArrayList<>();
        for (int s = 0; s < shape.servers(); s++) {
            batch.add(new JoinServerCommand(GridShape.server(s), GridShape.site(s), GridShape.address(s), shape.capacity(s)));
        }
        List<TemplateSpec> specs = shape.templates();
        int user = 0;
        for (int g = 0; g < specs.size() / 2; g++) {
            List<String> members = new ArrayList<>();
            for (int i = 0; i < USERS_PER_GROUP; i++, user++) {
                String name = "user" + (user + 1);
                batch.add(new CreateUserCommand(name, SyntheticGrid.HASH, user == 0 ? Role.ADMIN : Role.USER,
                        GridShape.SITES[user % GridShape.SITES.length]));
                members.add(name);
            }
            batch.add(new CreateGroupCommand(GridShape.group(2 * g), members));
        }
        for (int t = 0; t < specs.size(); t++) {
            String origin = GridShape.server((int) ((long) t * shape.servers() / specs.size()));
            batch.add(new RegisterImageVersionCommand(GridShape.image(t), 1, GridShape.imageBytes(t), GridShape.sha(t), 0, origin));
            batch.add(new CreateTemplateCommand(specs.get(t)));
            batch.add(new CreateGrantCommand(GridShape.template(t), null, GridShape.group(t)));
        }
        submit(batch);
    }

    /**
     * Plans and applies every action's outcome until a plan is empty, as
     * {@link SimulatedGrid#converge} does, but keeps going on a limit instead of throwing, so a grid
     * that never settles is measured and described too.
     */
    private Outcome converge(int maxRounds, double maxSeconds) {
        long start = System.nanoTime();
        long failedBefore = grid.failedOutcomes();
        int rounds = 0;
        long actions = 0;
        Plan plan = grid.plan();
        while (!plan.isEmpty() && rounds < maxRounds && (System.nanoTime() - start) / 1e9 < maxSeconds) {
            List<MeshCommand> outcomes = new ArrayList<>();
            for (PlanAction a : plan.actions()) {
                outcomes.addAll(ActionOutcomes.of(a));
            }
            for (int from = 0; from < outcomes.size(); from += BATCH) {
                grid.submit(outcomes.subList(from, Math.min(outcomes.size(), from + BATCH)));
            }
            rounds++;
            actions += plan.actions().size();
            plan = grid.plan();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        ClusterImage image = grid.image();
        double min = Double.MAX_VALUE;
        double max = 0;
        double sum = 0;
        int n = 0;
        for (ServerImage s : image.servers().all()) {
            if (!s.schedulable()) {
                continue;
            }
            double u = CapacityModel.utilisation(s.capacity(), image.vms().usage(s.name()));
            min = Math.min(min, u);
            max = Math.max(max, u);
            sum += u;
            n++;
        }
        Map<String, Integer> kinds = new TreeMap<>();
        for (PlanAction a : plan.actions()) {
            kinds.merge(a.getClass().getSimpleName(), 1, Integer::sum);
        }
        return new Outcome(plan.isEmpty(), rounds, actions, image.vms().size(), 100 * sum / n, 100 * min, 100 * max,
                plan.notes().size(), grid.failedOutcomes() - failedBefore, plan.isEmpty() ? "" : kinds.toString(), seconds);
    }

    private void submit(List<MeshCommand> commands) {
        for (int from = 0; from < commands.size(); from += BATCH) {
            List<Reply> replies = grid.submit(commands.subList(from, Math.min(commands.size(), from + BATCH)));
            for (int k = 0; k < replies.size(); k++) {
                if (!replies.get(k).ok()) {
                    throw new IllegalStateException("setup command " + commands.get(from + k) + " refused: " + replies.get(k));
                }
            }
        }
    }
}
