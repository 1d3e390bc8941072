package io.deskmesh.model.plan;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.UserImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.VmState;
import org.pcollections.TreePSet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Connection load balancing: ranks where one login of a user on a template should land.
 *
 * <p><b>Goals.</b> A returning user gets their own persistent desktop; everyone else lands on the
 * least loaded server that has a free desktop, close to them, on a VM that is already powered on
 * and on the template's current image version when there is one.
 *
 * <p><b>Constraints.</b> Never a VM another session holds or another user owns; never a missing,
 * draining or suspect server, nor one the broker excluded after it failed to answer. The existing
 * session (reconnect) is handled by the reservation command before routing.
 *
 * <p><b>Algorithm.</b> Persistent pools whose user owns a VM: that VM alone. Otherwise filter the
 * servers holding free VMs of the template ({@link ServerFilter}), score each 0..1 as a weighted sum
 * of its idle share (free VMs over its VMs of the template), free capacity, site match with the user
 * and whether it has a powered-on free VM, then order by score with the server name breaking ties.
 * On each server the VM is the first powered-on current-version one, else the first current-version
 * one, else the first. Cost: O(servers with free VMs of the template). Pure and deterministic.
 */
public final class ConnectionRouter {
    static final double W_IDLE = 0.40;
    static final double W_CAPACITY = 0.20;
    static final double W_SITE = 0.25;
    static final double W_WARM = 0.15;

    private ConnectionRouter() {
    }

    public static Route route(ClusterImage image, String user, String template, Set<String> exclude) {
        TemplateImage t = image.templates().get(template).orElse(null);
        if (t == null) {
            return new Route(List.of(), "template '" + template + "' does not exist");
        }
        ServerFilter filter = ServerFilter.SCHEDULABLE.then(ServerFilter.excluding(exclude));
        if (t.spec().pool() == PoolKind.PERSISTENT) {
            String own = image.vms().ownedBy(template, user).orElse(null);
            if (own != null) {
                return ownDesktop(image, own, filter);
            }
        }
        String site = image.accounts().user(user).map(UserImage::site).orElse("");
        Map<String, TreePSet<String>> free = image.vms().free(template);
        List<Candidate> out = new ArrayList<>(free.size());
        Map<String, Integer> ruledOut = new TreeMap<>();
        for (Map.Entry<String, TreePSet<String>> e : free.entrySet()) {
            ServerImage server = image.servers().get(e.getKey()).orElse(null);
            String why = server == null ? "gone" : filter.reject(server);
            if (why != null) {
                ruledOut.merge(why, 1, Integer::sum);
                continue;
            }
            out.add(score(image, t, server, e.getValue(), site));
        }
        out.sort(Comparator.comparingDouble(Candidate::score).reversed().thenComparing(Candidate::server));
        return new Route(out, out.isEmpty() ? whyNone(image, t, ruledOut) : "");
    }

    private static Route ownDesktop(ClusterImage image, String vmId, ServerFilter filter) {
        VmImage vm = image.vms().get(vmId).orElseThrow();
        ServerImage server = image.servers().get(vm.server()).orElse(null);
        String why = server == null ? "gone" : filter.reject(server);
        if (why != null) {
            return new Route(List.of(), "your desktop '" + vmId + "' is on server '" + vm.server() + "', which is " + why
                    + "; it is back when the server is");
        }
        if (vm.state() != VmState.STOPPED && vm.state() != VmState.RUNNING) {
            return new Route(List.of(), "your desktop '" + vmId + "' is " + vm.state().name().toLowerCase()
                    + "; try again in a moment");
        }
        return new Route(List.of(new Candidate(vm.server(), vmId, 1.0, "own desktop")), "");
    }

    private static Candidate score(ClusterImage image, TemplateImage t, ServerImage server, TreePSet<String> freeIds,
                                   String userSite) {
        int all = image.vms().on(t.name(), server.name()).size();
        double idle = all == 0 ? 0 : (double) freeIds.size() / all;
        double capacity = 1 - Math.min(1, CapacityModel.utilisation(server.capacity(), image.vms().usage(server.name())));
        double site = userSite.isEmpty() ? 0.5 : userSite.equals(server.site()) ? 1 : 0;
        String best = null;
        String current = null;
        String first = null;
        for (String id : freeIds) {
            VmImage vm = image.vms().get(id).orElseThrow();
            boolean fresh = vm.imageVersion() == t.spec().imageVersion();
            if (first == null) {
                first = id;
            }
            if (fresh && current == null) {
                current = id;
            }
            if (fresh && vm.state() == VmState.RUNNING) {
                best = id;
                break;
            }
        }
        String vmId = best != null ? best : current != null ? current : first;
        double warm = best != null ? 1 : 0;
        double score = W_IDLE * idle + W_CAPACITY * capacity + W_SITE * site + W_WARM * warm;
        // Runs at apply time for every login: plain concatenation, not String.format (several times slower).
        String why = "idle " + hundredths(idle) + ", capacity " + hundredths(capacity) + ", site " + hundredths(site)
                + ", warm " + (int) warm;
        return new Candidate(server.name(), vmId, score, why);
    }

    /** {@code v} with two decimals ({@code 0.5} as {@code 0.50}), for the candidates' reasons. */
    static String hundredths(double v) {
        long h = Math.round(v * 100);
        String frac = Long.toString(Math.abs(h) % 100);
        return (h < 0 ? "-" : "") + Math.abs(h) / 100 + "." + (frac.length() == 1 ? "0" + frac : frac);
    }

    private static String whyNone(ClusterImage image, TemplateImage t, Map<String, Integer> ruledOut) {
        int total = 0;
        for (Set<String> ids : image.vms().placement(t.name()).values()) {
            total += ids.size();
        }
        StringBuilder sb = new StringBuilder("no free desktop of template '").append(t.name()).append("': ")
                .append(image.sessions().onTemplate(t.name())).append(" of ").append(total).append(" VMs in use or not ready");
        ruledOut.forEach((why, n) -> sb.append(", ").append(n).append(n == 1 ? " server " : " servers ").append("with free VMs ").append(why));
        return sb.append("; the pool grows as demand is recorded, try again shortly").toString();
    }
}
