package io.deskmesh.model.plan;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;
import io.deskmesh.model.image.ReplicaImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.TransferFailure;
import io.deskmesh.model.record.Capacity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Static load balancing: which servers should hold each template's base image version.
 *
 * <p><b>Goals.</b> Every template's image sits on at least its {@code minReplicas} servers (when
 * that many can take it), so losing one server loses no image; and on enough servers that the
 * template's desired VMs fit at the grid's target utilisation plus headroom, so VMs can be spread
 * evenly. New copies go where there is most room, where a same-site source can feed them, and where
 * the template's users are. Copies beyond what is needed, that host no VM, are dropped.
 *
 * <p><b>Constraints.</b> Never a transfer to or from a missing, draining or suspect server; never to
 * a server short of disk (counting transfers planned in this pass); a server whose transfer of this version failed within {@link #RETRY_BACKOFF_MS} is skipped. Copies on their way
 * count as held, so a transfer under way is not planned twice. Images no template uses are left
 * alone (an admin may have just imported one).
 *
 * <p><b>Algorithm.</b> For each template, by name: effective holders = live, non-draining servers
 * with the version landed or in flight. Needed = max(min replicas, the fewest holders whose VM
 * capacity at {@code target + headroom} covers the desired VMs); the capacity rule adds copies only
 * when the deficit is real, not for every extra VM (threshold). While short: filter candidates,
 * score each 0..1 = 0.5 × free capacity + 0.2 × same-site source + 0.3 × share of the template's
 * users at the server's site, take the best (name breaks ties), pick a source (same site, fewest
 * outgoing transfers, name), and project the template's share onto it. Then drop surplus copies
 * that host no VM of the version, most loaded server first, only while the rest still cover the
 * desired VMs at {@code target − slack} (hysteresis) and min replicas, never on an underloaded server.
 * Last, a server running more than {@link #BALANCE_GAP} below the most loaded holder of a template
 * it lacks (a new server, say) gets a copy of that image, one per pass, so the VM planner can move
 * work to it. Cost: O(templates × servers).
 */
public final class ImagePlacementPlanner {
    static final double HEADROOM = 0.10;
    static final double SLACK = 0.15;
    /** How far below the grid's target a server must run before it is given images to even out load. */
    static final double BALANCE_GAP = 0.10;
    /** Balancing copies per pass at least (more on large grids: one per 100 servers). */
    static final int MIN_BALANCING_COPIES = 4;
    static final int MAX_BALANCING_COPIES_PER_TEMPLATE = 2;
    /** A copy that landed this recently is not dropped as surplus: VMs may be on their way to it. */
    static final long FRESH_COPY_MS = 5 * 60_000;
    static final double MAX_TARGET = 0.90;
    static final long RETRY_BACKOFF_MS = 60_000;
    static final double W_CAPACITY = 0.5;
    static final double W_SOURCE = 0.2;
    static final double W_SITE = 0.3;

    private ImagePlacementPlanner() {
    }

    static void plan(Projection p, List<PlanAction> actions, List<String> notes) {
        double grid = p.gridTarget();
        double target = Math.min(MAX_TARGET, grid + HEADROOM);
        double[] planned = new double[p.servers.size()];
        List<Holding> holdings = new ArrayList<>();
        for (TemplateImage t : p.image.templates().all()) {
            Holding h = planTemplate(p, t, target, grid, planned, actions, notes);
            if (h != null) {
                holdings.add(h);
            }
        }
        spreadToUnderloaded(p, grid, planned, holdings, actions);
    }

    /** Where one template's image version is, as this pass sees it. */
    private record Holding(TemplateImage template, ImageRef ref, long sizeBytes, List<Integer> holders,
                           List<Integer> sources, boolean[] held) {
    }

    /**
     * Evens out load across templates: a server that runs more than {@link #BALANCE_GAP} below the
     * most loaded holder (with free VMs) of some template it lacks gets a copy of that template's
     * image, the one with the most loaded such holder first, one copy per server per pass, least
     * loaded servers first. A copy is only planned when moving one VM of that template would still
     * leave the receiver below the donor, so the VM planner will use it and it is never dropped idle.
     */
    private static void spreadToUnderloaded(Projection p, double grid, double[] planned, List<Holding> holdings,
                                            List<PlanAction> actions) {
        int[] donor = new int[holdings.size()];
        double highest = 0;
        for (int k = 0; k < holdings.size(); k++) {
            Holding h = holdings.get(k);
            donor[k] = -1;
            for (int i : h.sources()) {
                if (p.servers.get(i).schedulable() && !p.image.vms().freeOn(h.template().name(), p.servers.get(i).name()).isEmpty()
                        && (donor[k] < 0 || p.utilisation(i) > p.utilisation(donor[k]))) {
                    donor[k] = i;
                }
            }
            if (donor[k] >= 0) {
                highest = Math.max(highest, p.utilisation(donor[k]));
            }
        }
        Integer[] order = new Integer[p.servers.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> {
            int c = Double.compare(p.utilisation(a) + planned[a], p.utilisation(b) + planned[b]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        // Only as many balancing copies per pass as the VM moves that follow can use: handing one
        // template's image to hundreds of servers at once only churned copies in and out.
        int budget = Math.max(MIN_BALANCING_COPIES, p.servers.size() / 100);
        int[] perTemplate = new int[holdings.size()];
        for (int i : order) {
            double load = p.utilisation(i) + planned[i];
            if (load >= highest - BALANCE_GAP || budget == 0) {
                break;
            }
            if (!p.servers.get(i).schedulable()) {
                continue;
            }
            int best = -1;
            for (int k = 0; k < holdings.size(); k++) {
                Holding h = holdings.get(k);
                int d = donor[k];
                if (d < 0 || h.held()[i] || p.desired(h.template().name()) == 0
                        || perTemplate[k] >= MAX_BALANCING_COPIES_PER_TEMPLATE) {
                    continue;
                }
                double donorLoad = p.utilisation(d);
                double after = p.utilisationWith(i, h.template(), 1) + planned[i];
                if (donorLoad - load <= BALANCE_GAP || after >= donorLoad || p.diskFree(i) < h.sizeBytes()
                        || p.slots(i, h.template()) == 0 || recentlyFailed(p, h.ref(), p.servers.get(i).name())) {
                    continue;
                }
                if (best < 0 || donorLoad > p.utilisation(donor[best]) + 1e-12) {
                    best = k;
                }
            }
            if (best < 0) {
                continue;
            }
            Holding h = holdings.get(best);
            perTemplate[best]++;
            budget--;
            int source = bestSource(p, h.sources(), p.servers.get(i).site());
            actions.add(new PlanAction.FetchReplica(p.servers.get(i).name(), h.ref(), p.servers.get(source).name()));
            p.diskBytes[i] += h.sizeBytes();
            p.outgoing[source]++;
            h.held()[i] = true;
            h.holders().add(i);
            planned[i] += p.utilisationWith(i, h.template(), 1) - p.utilisation(i);
        }
    }

    private static boolean recentlyFailed(Projection p, ImageRef ref, String server) {
        TransferFailure f = p.image.images().failures(ref).get(server);
        return f != null && p.image.at() - f.at() < RETRY_BACKOFF_MS;
    }

    /**
     * @param planned per server, the utilisation this pass expects new copies to bring (their share
     *                of the template's VMs), so templates planned later spread to other servers
     */
    private static Holding planTemplate(Projection p, TemplateImage t, double target, double grid, double[] planned,
                                        List<PlanAction> actions, List<String> notes) {
        ClusterImage image = p.image;
        ImageRef ref = t.imageRef();
        ImageVersionImage version = image.images().version(ref).orElse(null);
        if (version == null) {
            notes.add("template '" + t.name() + "' waits for base image '" + t.spec().baseImage() + "' to be imported");
            return null;
        }
        Map<String, ReplicaImage> replicas = image.images().replicas(ref);
        List<Integer> holders = new ArrayList<>();
        List<Integer> sources = new ArrayList<>();
        boolean[] held = new boolean[p.servers.size()];
        for (ReplicaImage r : replicas.values()) {
            int i = p.indexOf(r.server());
            ServerImage s = i < 0 ? null : p.servers.get(i);
            if (s == null) {
                continue;
            }
            held[i] = true;
            if (s.missing() || s.draining()) {
                continue;
            }
            holders.add(i);
            if (r.landed() && !s.suspect()) {
                sources.add(i);
            }
        }
        if (sources.isEmpty()) {
            notes.add("base image " + ref + " of template '" + t.name() + "' has no complete copy on a live, non-draining"
                    + " server; it spreads again when a holder returns or is resumed, or import it anew");
            return null;
        }
        int desired = p.desired(t.name());
        int minReplicas = t.spec().minReplicas();
        Map<String, Double> userSites = null; // computed only when a copy is to be placed: it walks the users
        while (holders.size() < minReplicas || coverage(p, holders, t, target) < desired) {
            if (userSites == null) {
                userSites = userSites(image, t);
            }
            // A copy for redundancy needs only disk; a copy for capacity needs room for VMs too.
            boolean forRedundancy = holders.size() < minReplicas;
            int best = bestTarget(p, t, ref, version.sizeBytes(), held, planned, sources, userSites, !forRedundancy);
            if (best < 0) {
                if (holders.size() < minReplicas) {
                    notes.add("base image " + ref + " is on " + holders.size() + " server(s), fewer than the " + minReplicas
                            + " template '" + t.name() + "' asks for: no other server can take it now");
                }
                break;
            }
            int source = bestSource(p, sources, p.servers.get(best).site());
            actions.add(new PlanAction.FetchReplica(p.servers.get(best).name(), ref, p.servers.get(source).name()));
            p.diskBytes[best] += version.sizeBytes();
            p.outgoing[source]++;
            holders.add(best);
            held[best] = true;
            int share = (int) Math.min(Integer.MAX_VALUE, (long) Math.ceil((double) desired / holders.size()));
            planned[best] += p.utilisationWith(best, t, share) - p.utilisation(best);
        }
        dropSurplus(p, t, ref, holders, target, grid, planned, desired, minReplicas, actions);
        sources.retainAll(holders);
        return new Holding(t, ref, version.sizeBytes(), holders, sources, held);
    }

    /** How many VMs of the template the holders can host at the given utilisation. */
    static long coverage(Projection p, List<Integer> holders, TemplateImage t, double utilisation) {
        long sum = 0;
        for (int i : holders) {
            Capacity c = p.servers.get(i).capacity();
            long byMem = (long) (c.memoryMb() * utilisation) / Math.max(1, t.spec().memoryMb());
            long byCpu = (long) (CapacityModel.vcpus(c) * utilisation) / Math.max(1, t.spec().cpus());
            sum += Math.min(byMem, byCpu);
        }
        return sum;
    }

    private static int bestTarget(Projection p, TemplateImage t, ImageRef ref, long size, boolean[] held, double[] planned,
                                  List<Integer> sources, Map<String, Double> userSites, boolean needSlots) {
        int best = -1;
        double bestScore = -1;
        for (int i = 0; i < p.servers.size(); i++) {
            ServerImage s = p.servers.get(i);
            if (!s.schedulable() || held[i] || p.diskFree(i) < size) {
                continue;
            }
            if (recentlyFailed(p, ref, s.name())) {
                continue;
            }
            if (needSlots && p.slots(i, t) == 0) {
                continue;
            }
            double capacity = 1 - Math.min(1, p.utilisation(i) + planned[i]);
            boolean sameSite = false;
            for (int src : sources) {
                if (p.servers.get(src).site().equals(s.site())) {
                    sameSite = true;
                    break;
                }
            }
            double site = userSites.isEmpty() ? 0.5 : userSites.getOrDefault(s.site(), 0.0);
            double score = W_CAPACITY * capacity + W_SOURCE * (sameSite ? 1 : 0.5) + W_SITE * site;
            if (score > bestScore + 1e-12) {
                best = i;
                bestScore = score;
            }
        }
        return best;
    }

    private static int bestSource(Projection p, List<Integer> sources, String site) {
        int best = -1;
        for (int i : sources) {
            if (best < 0) {
                best = i;
                continue;
            }
            boolean same = p.servers.get(i).site().equals(site);
            boolean bestSame = p.servers.get(best).site().equals(site);
            if (same != bestSame ? same : p.outgoing[i] < p.outgoing[best]) {
                best = i;
            }
        }
        return best;
    }

    private static void dropSurplus(Projection p, TemplateImage t, ImageRef ref, List<Integer> holders, double target,
                                    double grid, double[] planned, int desired, int minReplicas,
                                    List<PlanAction> actions) {
        double keepAt = Math.max(0.05, target - SLACK);
        if (holders.size() <= minReplicas) {
            return;
        }
        // Cheap test first: if dropping even the holder that contributes least would break
        // coverage, no copy is surplus and no holder needs to be looked at (the steady state).
        long total = 0;
        long least = Long.MAX_VALUE;
        for (int i : holders) {
            long one = coverage(p, List.of(i), t, keepAt);
            total += one;
            least = Math.min(least, one);
        }
        if (total - least < desired) {
            return;
        }
        double donorLoad = 0;
        for (int i : holders) {
            if (!p.image.vms().freeOn(t.name(), p.servers.get(i).name()).isEmpty()) {
                donorLoad = Math.max(donorLoad, p.utilisation(i));
            }
        }
        List<Integer> idle = new ArrayList<>();
        for (int i : holders) {
            String server = p.servers.get(i).name();
            double load = p.utilisation(i) + planned[i];
            boolean receiver = load < grid - BALANCE_GAP || load < donorLoad - BALANCE_GAP;
            ReplicaImage copy = p.image.images().replicas(ref).get(server);
            boolean fresh = copy != null && p.image.at() - copy.since() < FRESH_COPY_MS;
            if (p.image.images().hasLanded(ref, server) && !receiver && !fresh && !usesVersion(p, ref, server)) {
                idle.add(i);
            }
        }
        idle.sort((a, b) -> {
            int byLoad = Double.compare(p.utilisation(b), p.utilisation(a));
            return byLoad != 0 ? byLoad : p.servers.get(a).name().compareTo(p.servers.get(b).name());
        });
        List<Integer> kept = new ArrayList<>(holders);
        for (int i : idle) {
            if (kept.size() <= minReplicas) {
                break;
            }
            kept.remove(Integer.valueOf(i));
            if (coverage(p, kept, t, keepAt) < desired) {
                kept.add(i);
                break;
            }
            actions.add(new PlanAction.DropReplica(p.servers.get(i).name(), ref));
            holders.remove(Integer.valueOf(i));
        }
    }

    /** Whether any VM on the server runs from this image version (any template using the image). */
    static boolean usesVersion(Projection p, ImageRef ref, String server) {
        for (TemplateImage t : p.templatesUsing(ref.image())) {
            java.util.Set<String> on = p.image.vms().on(t.name(), server);
            if (on.isEmpty()) {
                continue;
            }
            var versions = p.image.vms().versions(t.name());
            if (versions.size() == 1) {
                // Every VM of the template is on one version: no need to look at each.
                if (versions.containsKey(ref.version())) {
                    return true;
                }
                continue;
            }
            for (String id : on) {
                if (p.image.vms().get(id).orElseThrow().imageVersion() == ref.version()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Site → share of the template's users there, scaled so the largest site scores 1; empty when unknown. */
    private static Map<String, Double> userSites(ClusterImage image, TemplateImage t) {
        TreeMap<String, Integer> count = new TreeMap<>();
        for (String user : image.accounts().entitledUsers(t.name())) {
            image.accounts().user(user).ifPresent(u -> {
                if (!u.site().isEmpty()) {
                    count.merge(u.site(), 1, Integer::sum);
                }
            });
        }
        int max = count.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        Map<String, Double> out = new TreeMap<>();
        count.forEach((site, n) -> out.put(site, (double) n / max));
        return out;
    }
}
