package io.deskmesh.testkit.sim;

import io.deskmesh.model.command.CommandProcessor;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.plan.GridPlanner;
import io.deskmesh.model.plan.Plan;
import io.deskmesh.model.plan.PlanAction;
import io.deskmesh.model.record.MeshRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * A whole grid's replicated state driven in one thread, with no Raft and no hypervisors: commands
 * are applied as log entries, and a round plans and applies every action's successful outcome, as
 * if every server carried out its share at once. Keeps the log and the records so tests can replay
 * them elsewhere. Not thread-safe.
 */
public final class SimulatedGrid {
    private ClusterImage image = ClusterImage.EMPTY;
    private long clock;
    private final long tickMs;
    private final List<LogEntry> log = new ArrayList<>();
    private final List<MeshRecord> records = new ArrayList<>();
    private long failedOutcomes;
    private final List<String> failures = new ArrayList<>();

    /** A grid whose log clock starts at {@code startMs} and advances {@code tickMs} per entry. */
    public SimulatedGrid(long startMs, long tickMs) {
        this.clock = startMs;
        this.tickMs = tickMs;
    }

    public SimulatedGrid() {
        this(1_700_000_000_000L, 100);
    }

    /** Applies the commands as one log entry and returns one reply per command. */
    public List<Reply> submit(List<? extends MeshCommand> commands) {
        clock += tickMs;
        LogEntry entry = new LogEntry(image.index() + 1, clock, List.copyOf(commands));
        CommandProcessor.BatchResult result = CommandProcessor.apply(image, entry.index(), entry.at(), entry.commands());
        log.add(entry);
        records.addAll(result.records());
        image = result.image();
        return result.replies();
    }

    public Reply submit(MeshCommand command) {
        return submit(List.of(command)).get(0);
    }

    /** Advances the log clock without an entry (time passing between commands). */
    public void advance(long ms) {
        clock += ms;
    }

    public Plan plan() {
        return GridPlanner.plan(image);
    }

    /**
     * Plans once and applies every action's outcome, in entries of at most {@code batch} commands.
     * Returns the number of actions planned.
     */
    public int round(int batch) {
        Plan plan = plan();
        List<MeshCommand> pending = new ArrayList<>();
        for (PlanAction a : plan.actions()) {
            pending.addAll(ActionOutcomes.of(a));
        }
        for (int from = 0; from < pending.size(); from += batch) {
            List<MeshCommand> chunk = pending.subList(from, Math.min(pending.size(), from + batch));
            List<Reply> replies = submit(chunk);
            for (int k = 0; k < replies.size(); k++) {
                if (!replies.get(k).ok()) {
                    failedOutcomes++;
                    if (failures.size() < 100) {
                        failures.add(chunk.get(k) + " -> " + replies.get(k));
                    }
                }
            }
        }
        return plan.actions().size();
    }

    /**
     * Runs rounds until a plan is empty; returns how many rounds had actions.
     *
     * @throws IllegalStateException when still planning after {@code maxRounds}
     */
    public int converge(int maxRounds) {
        for (int rounds = 0; rounds <= maxRounds; rounds++) {
            if (round(512) == 0) {
                return rounds;
            }
        }
        throw new IllegalStateException("no steady state after " + maxRounds + " rounds; last plan: " + plan());
    }

    public ClusterImage image() {
        return image;
    }

    public long clock() {
        return clock;
    }

    public List<LogEntry> log() {
        return List.copyOf(log);
    }

    public List<MeshRecord> records() {
        return List.copyOf(records);
    }

    /** The first refused outcome commands with their replies, for diagnosis. */
    public List<String> failures() {
        return List.copyOf(failures);
    }

    /** Outcome commands refused so far (the grid changed under a plan, as happens between real nodes). */
    public long failedOutcomes() {
        return failedOutcomes;
    }
}
