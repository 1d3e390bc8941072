package io.deskmesh.node.api.broker;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.plan.ConnectionRouter;
import io.deskmesh.model.plan.Route;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.node.api.ApiServices;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON shapes of the desktop and session endpoints, built from one image. Consoles are addressed
 * on the front door that answered ({@code /console/{sessionId}}); hosts' console addresses never reach
 * clients. Times are the grid's log times, ISO-8601 UTC, as everywhere in the API. Immutable.
 */
final class BrokerViews {
    private BrokerViews() {
    }

    /** Where the client opens the session's console: a path on the node that answered. */
    record Console(String url) {
        static Console of(String sessionId) {
            return new Console("/console/" + sessionId);
        }
    }

    record Session(String id, String user, String template, String vm, String server, String state, String reservedAt,
                   String since, Console console) {
        static Session of(SessionImage s) {
            return new Session(s.id(), s.user(), s.template(), s.vmId(), s.server(), s.state().name().toLowerCase(),
                    ApiServices.time(s.reservedAt()), ApiServices.time(s.since()), Console.of(s.id()));
        }
    }

    /**
     * One template the caller may use. {@code free} counts desktops a new login could get now (free VMs on
     * servers taking logins), {@code total} the pool's working VMs; {@code available} says whether a
     * connect would get a desktop now (the caller's session, own persistent desktop or a free one), and
     * {@code reason} why not.
     */
    record Desktop(String template, String pool, int cpus, long memoryMb, int free, int total, boolean available,
                   String reason, String ownVm, String sessionId) {
    }

    record Desktops(String user, List<Desktop> desktops, List<Session> sessions) {
    }

    record Connected(String sessionId, String vm, String server, String template, boolean reconnect, Console console) {
        static Connected of(DesktopBroker.Connected c) {
            return new Connected(c.sessionId(), c.vmId(), c.server(), c.template(), c.reconnect(), Console.of(c.sessionId()));
        }
    }

    static Desktops desktops(ClusterImage image, String user) {
        List<Desktop> desktops = image.accounts().entitlements(user).stream()
                .map(name -> image.templates().get(name).orElse(null))
                .filter(t -> t != null)
                .map(t -> desktop(image, user, t))
                .toList();
        List<Session> sessions = image.sessions().ofUser(user).stream().map(Session::of).toList();
        return new Desktops(user, desktops, sessions);
    }

    static Desktop desktop(ClusterImage image, String user, TemplateImage t) {
        int free = 0;
        for (Map.Entry<String, ? extends Set<String>> e : image.vms().free(t.name()).entrySet()) {
            ServerImage s = image.servers().get(e.getKey()).orElse(null);
            if (s != null && s.schedulable()) {
                free += e.getValue().size();
            }
        }
        int total = 0;
        for (Set<String> ids : image.vms().placement(t.name()).values()) {
            for (String id : ids) {
                VmImage vm = image.vms().get(id).orElseThrow();
                total += vm.counted() ? 1 : 0;
            }
        }
        SessionImage mine = image.sessions().ofUser(user, t.name()).orElse(null);
        boolean available;
        String reason = null;
        if (mine != null && image.servers().get(mine.server()).map(ServerImage::live).orElse(false)) {
            available = true;
        } else {
            Route route = ConnectionRouter.route(image, user, t.name(), new TreeSet<>());
            available = !route.isEmpty();
            reason = available ? null : route.whyEmpty();
        }
        String own = t.spec().pool() == PoolKind.PERSISTENT ? image.vms().ownedBy(t.name(), user).orElse(null) : null;
        return new Desktop(t.name(), pool(t.spec().pool()), t.spec().cpus(), t.spec().memoryMb(), free, total, available,
                reason, own, mine == null ? null : mine.id());
    }

    static String pool(PoolKind kind) {
        return kind == PoolKind.PERSISTENT ? "persistent" : "non-persistent";
    }
}
