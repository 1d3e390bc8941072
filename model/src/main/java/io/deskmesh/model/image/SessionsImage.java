package io.deskmesh.model.image;

import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Live sessions with per-user, per-template and per-server indexes, the reservations each server has
 * yet to prepare, and pool demand. Immutable and thread-safe.
 */
public final class SessionsImage {
    public static final SessionsImage EMPTY = new SessionsImage(TreePMap.empty(), TreePMap.empty(), TreePMap.empty(),
            TreePMap.empty(), TreePMap.empty(), TreePMap.empty());

    final TreePMap<String, SessionImage> sessions;
    final TreePMap<String, TreePSet<String>> byUser;
    final TreePMap<String, Integer> perTemplate;
    final TreePMap<String, Integer> perServer;
    /** Sessions still {@link SessionState#RESERVED}, by the server hosting their VM. */
    final TreePMap<String, TreePSet<String>> reservedByServer;
    final TreePMap<String, PoolDemand> demand;

    SessionsImage(TreePMap<String, SessionImage> sessions, TreePMap<String, TreePSet<String>> byUser,
                  TreePMap<String, Integer> perTemplate, TreePMap<String, Integer> perServer,
                  TreePMap<String, TreePSet<String>> reservedByServer, TreePMap<String, PoolDemand> demand) {
        this.sessions = sessions;
        this.byUser = byUser;
        this.perTemplate = perTemplate;
        this.perServer = perServer;
        this.reservedByServer = reservedByServer;
        this.demand = demand;
    }

    public Optional<SessionImage> get(String id) {
        return Optional.ofNullable(sessions.get(id));
    }

    /** All live sessions, sorted by id. */
    public Collection<SessionImage> all() {
        return sessions.values();
    }

    public int size() {
        return sessions.size();
    }

    /** A user's live sessions, sorted by id. */
    public List<SessionImage> ofUser(String user) {
        return byUser.getOrDefault(user, TreePSet.empty()).stream().map(sessions::get).toList();
    }

    /** The user's live session on a template, if any (a user holds at most one per template). */
    public Optional<SessionImage> ofUser(String user, String template) {
        for (String id : byUser.getOrDefault(user, TreePSet.empty())) {
            SessionImage s = sessions.get(id);
            if (s.template().equals(template)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    public int onTemplate(String template) {
        return perTemplate.getOrDefault(template, 0);
    }

    public int onServer(String server) {
        return perServer.getOrDefault(server, 0);
    }

    /**
     * Ids of the sessions reserved on a server's VMs and not yet connected, sorted: the reservations that
     * server has to prepare. Costs O(log n) however many sessions there are.
     */
    public Set<String> reservedOn(String server) {
        return reservedByServer.getOrDefault(server, TreePSet.empty());
    }

    public PoolDemand demand(String template) {
        return demand.getOrDefault(template, PoolDemand.NONE);
    }

    /** Demand for every template that has any, sorted by template. */
    public Map<String, PoolDemand> demand() {
        return demand;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SessionsImage s && sessions.equals(s.sessions) && demand.equals(s.demand);
    }

    @Override
    public int hashCode() {
        return sessions.hashCode() * 31 + demand.hashCode();
    }
}
