package io.deskmesh.raft;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Chooses which servers vote in the grid's Raft group. Pure and deterministic; thread-safe.
 *
 * <p><b>Goals.</b> Commit latency must not grow with the grid, so only a few servers vote; the
 * voters should be servers that answer, so the grid keeps a majority when some are lost; and
 * membership should not churn, because every change is a Raft reconfiguration.
 *
 * <p><b>Constraints.</b> At most {@value #MAX_VOTERS} voters, and an odd number (an even count adds a
 * server to the quorum without tolerating one more failure). With three or more servers, at least
 * three vote, even when fewer answer: shrinking to one voter would leave every commit on one disk.
 * Voters are chosen only among the known peers.
 *
 * <p><b>Algorithm.</b> The target size is the largest odd number not above
 * {@code min(5, peers, max(3, live peers))} (1 with fewer than three peers). Candidates are ranked:
 * live current voters, then live listeners, then unreachable current voters, then unreachable
 * listeners, each group by id; the first {@code size} win. {@link #nextStep} then moves from the
 * current voters toward that target one server at a time, because Ratis refuses a change that
 * replaces a majority of the voters in one step; {@link #step} applies that to a membership, and
 * only when the live voters that stay can elect a leader of the new voters without the promoted
 * listeners ({@link #electableWithoutNewVoters}).
 */
public final class VoterPolicy {
    public static final int MAX_VOTERS = 5;

    private VoterPolicy() {
    }

    /**
     * The voters the grid should have.
     *
     * @param currentVoters the voters now
     * @param allPeers      every peer, voters and listeners (current voters are added if missing)
     * @param livePeers     the peers that answer now
     * @return the chosen voter ids, sorted
     */
    public static SortedSet<String> choose(Set<String> currentVoters, Set<String> allPeers, Set<String> livePeers) {
        SortedSet<String> all = new TreeSet<>(allPeers);
        all.addAll(currentVoters);
        if (all.isEmpty()) {
            return Collections.emptySortedSet();
        }
        long live = all.stream().filter(livePeers::contains).count();
        int size = largestOdd(all.size() < 3 ? 1 : Math.min(MAX_VOTERS, Math.min(all.size(), Math.max(3, live))));

        List<String> ranked = new ArrayList<>(all.size());
        addWhere(ranked, all, id -> currentVoters.contains(id) && livePeers.contains(id));
        addWhere(ranked, all, id -> !currentVoters.contains(id) && livePeers.contains(id));
        addWhere(ranked, all, id -> currentVoters.contains(id) && !livePeers.contains(id));
        addWhere(ranked, all, id -> !currentVoters.contains(id) && !livePeers.contains(id));
        return Collections.unmodifiableSortedSet(new TreeSet<>(ranked.subList(0, size)));
    }

    /**
     * One reconfiguration step from {@code current} toward {@code target}: swap one voter when both
     * sides differ, else add one or remove one. Returns {@code target} when already there.
     */
    public static SortedSet<String> nextStep(Set<String> current, Set<String> target) {
        SortedSet<String> toAdd = new TreeSet<>(target);
        toAdd.removeAll(current);
        SortedSet<String> toRemove = new TreeSet<>(current);
        toRemove.removeAll(target);
        SortedSet<String> next = new TreeSet<>(current);
        if (!toRemove.isEmpty()) {
            next.remove(toRemove.last());
        }
        if (!toAdd.isEmpty()) {
            next.add(toAdd.first());
        }
        return Collections.unmodifiableSortedSet(next);
    }

    /**
     * The membership one reconfiguration step from {@code current} toward the voters
     * {@link #choose} picks for it: computed from the membership as it is now, so a change retried
     * after the membership moved (a server joined or left meanwhile) never applies a step worked out
     * for an older membership. Returns {@code current} itself when its voters already are the target.
     *
     * @param current   the group's membership now
     * @param livePeers the peers that answer now
     */
    public static Membership step(Membership current, Set<String> livePeers) {
        return step(current, livePeers, livePeers);
    }

    /**
     * As {@link #step(Membership, Set)}, judging whether the new voters can elect a leader without
     * the promoted listeners by {@code reachable} (the peers the leader hears over Raft now), which
     * knows a voter that has just joined before the grid's image does.
     */
    public static Membership step(Membership current, Set<String> livePeers, Set<String> reachable) {
        SortedSet<String> voters = new TreeSet<>(current.voterIds());
        SortedSet<String> target = choose(voters, current.allIds(), livePeers);
        if (target.equals(voters)) {
            return current;
        }
        SortedSet<String> next = nextStep(voters, target);
        return electableWithoutNewVoters(voters, next, reachable) ? current.withVoters(next) : current;
    }

    /**
     * Whether the live current voters that stay are a majority of {@code next}. A promoted listener
     * learns that it votes only from the leader; until then Ratis refuses its votes. A step that
     * needs such a vote (growing a lone voter to two, or with dead voters) would leave the grid without
     * any leader for good should the leader step down before the listener heard of its promotion.
     * So such steps are never taken: a lone voter gets its second voter by a server joining as a
     * voter (see the node's join protocol).
     */
    public static boolean electableWithoutNewVoters(Set<String> currentVoters, Set<String> next, Set<String> livePeers) {
        long staying = next.stream().filter(id -> currentVoters.contains(id) && livePeers.contains(id)).count();
        return staying >= next.size() / 2 + 1;
    }

    private static int largestOdd(long n) {
        return (int) (n % 2 == 1 ? n : Math.max(1, n - 1));
    }

    private static void addWhere(List<String> out, SortedSet<String> ids, Predicate<String> p) {
        ids.stream().filter(p).forEach(out::add);
    }
}
