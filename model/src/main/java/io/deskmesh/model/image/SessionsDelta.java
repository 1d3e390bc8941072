package io.deskmesh.model.image;

import io.deskmesh.model.record.DemandUnmetRecord;
import io.deskmesh.model.record.PoolDemandObservedRecord;
import io.deskmesh.model.record.SessionConnectedRecord;
import io.deskmesh.model.record.SessionDisconnectedRecord;
import io.deskmesh.model.record.SessionReservedRecord;
import io.deskmesh.model.record.SessionState;
import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

/** Replays session and demand records onto a {@link SessionsImage}. Not thread-safe: one replaying thread. */
final class SessionsDelta {
    private TreePMap<String, SessionImage> sessions;
    private TreePMap<String, TreePSet<String>> byUser;
    private TreePMap<String, Integer> perTemplate;
    private TreePMap<String, Integer> perServer;
    private TreePMap<String, TreePSet<String>> reservedByServer;
    private TreePMap<String, PoolDemand> demand;

    private final SessionsImage base;

    SessionsDelta(SessionsImage base) {
        this.base = base;
        sessions = base.sessions;
        byUser = base.byUser;
        perTemplate = base.perTemplate;
        perServer = base.perServer;
        reservedByServer = base.reservedByServer;
        demand = base.demand;
    }

    /** The sessions after replay; the base image itself when nothing changed, so untouched parts stay shared. */
    SessionsImage apply() {
        if (sessions == base.sessions && byUser == base.byUser && perTemplate == base.perTemplate
                && perServer == base.perServer && reservedByServer == base.reservedByServer && demand == base.demand) {
            return base;
        }
        return new SessionsImage(sessions, byUser, perTemplate, perServer, reservedByServer, demand);
    }

    void replay(SessionReservedRecord r) {
        if (sessions.containsKey(r.sessionId())) {
            throw new ReplayException("session '" + r.sessionId() + "' reserved twice");
        }
        sessions = sessions.plus(r.sessionId(), new SessionImage(r.sessionId(), r.user(), r.template(), r.vmId(),
                r.server(), SessionState.RESERVED, r.at(), r.at()));
        byUser = PMaps.addToSet(byUser, r.user(), r.sessionId());
        reservedByServer = PMaps.addToSet(reservedByServer, r.server(), r.sessionId());
        int now = perTemplate.getOrDefault(r.template(), 0) + 1;
        perTemplate = perTemplate.plus(r.template(), now);
        perServer = perServer.plus(r.server(), perServer.getOrDefault(r.server(), 0) + 1);
        PoolDemand d = demand.getOrDefault(r.template(), PoolDemand.NONE);
        if (now > d.peakSessions()) {
            demand = demand.plus(r.template(), new PoolDemand(now, d.unmetLogins(), d.lastUnmetAt()));
        }
    }

    void replay(SessionConnectedRecord r) {
        SessionImage s = unreserved(get(r.sessionId()));
        sessions = sessions.plus(s.id(), s.withState(SessionState.CONNECTED, r.at()));
    }

    void replay(SessionDisconnectedRecord r) {
        SessionImage s = unreserved(get(r.sessionId()));
        sessions = sessions.plus(s.id(), s.withState(SessionState.DISCONNECTED, r.at()));
    }

    /** Ends a session (log-off, expiry, host lost); returns the VM it held. */
    String end(String sessionId) {
        SessionImage s = unreserved(get(sessionId));
        sessions = sessions.minus(sessionId);
        byUser = PMaps.removeFromSet(byUser, s.user(), sessionId);
        perTemplate = decrement(perTemplate, s.template());
        perServer = decrement(perServer, s.server());
        return s.vmId();
    }

    void replay(DemandUnmetRecord r) {
        PoolDemand d = demand.getOrDefault(r.template(), PoolDemand.NONE);
        demand = demand.plus(r.template(), new PoolDemand(d.peakSessions(), d.unmetLogins() + 1, r.at()));
    }

    void replay(PoolDemandObservedRecord r) {
        demand = demand.plus(r.template(), new PoolDemand(r.peakSessions(), r.unmetLogins(), r.at()));
    }

    /** Forgets what a deleted template's pool learned. */
    void forgetTemplate(String template) {
        demand = demand.minus(template);
    }

    private static TreePMap<String, Integer> decrement(TreePMap<String, Integer> map, String key) {
        int n = map.getOrDefault(key, 0) - 1;
        return n <= 0 ? map.minus(key) : map.plus(key, n);
    }

    /** Drops a session leaving the RESERVED state from its server's reservations; returns it. */
    private SessionImage unreserved(SessionImage s) {
        if (s.state() == SessionState.RESERVED) {
            reservedByServer = PMaps.removeFromSet(reservedByServer, s.server(), s.id());
        }
        return s;
    }

    private SessionImage get(String id) {
        SessionImage s = sessions.get(id);
        if (s == null) {
            throw new ReplayException("record names unknown session '" + id + "'");
        }
        return s;
    }
}
