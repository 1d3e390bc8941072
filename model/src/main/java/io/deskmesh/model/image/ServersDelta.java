package io.deskmesh.model.image;

import io.deskmesh.model.record.ServerCapacityReportedRecord;
import io.deskmesh.model.record.ServerDrainedRecord;
import io.deskmesh.model.record.ServerJoinedRecord;
import io.deskmesh.model.record.ServerMissingRecord;
import io.deskmesh.model.record.ServerRejoinedRecord;
import io.deskmesh.model.record.ServerRemovedRecord;
import io.deskmesh.model.record.ServerResumedRecord;
import io.deskmesh.model.record.ServerSuspectedRecord;
import org.pcollections.TreePMap;

/** Replays server records onto a {@link ServersImage}. Not thread-safe: one replaying thread. */
final class ServersDelta {
    private final ServersImage base;
    private TreePMap<String, ServerImage> servers;

    ServersDelta(ServersImage base) {
        this.base = base;
        this.servers = base.map();
    }

    /** The servers after replay; the base image itself when nothing changed, so untouched parts stay shared. */
    ServersImage apply() {
        return servers == base.map() ? base : new ServersImage(servers);
    }

    void replay(ServerJoinedRecord r) {
        if (servers.containsKey(r.name())) {
            throw new ReplayException("server '" + r.name() + "' joined twice");
        }
        servers = servers.plus(r.name(), new ServerImage(r.name(), r.site() == null ? "" : r.site(), r.address(),
                r.capacity(), false, false, false, r.at(), r.at()));
    }

    void replay(ServerCapacityReportedRecord r) {
        put(get(r.name()).withCapacity(r.capacity(), r.at()));
    }

    void replay(ServerDrainedRecord r) {
        put(get(r.name()).withDraining(true, r.at()));
    }

    void replay(ServerResumedRecord r) {
        put(get(r.name()).withDraining(false, r.at()));
    }

    void replay(ServerMissingRecord r) {
        put(get(r.name()).withMissing(true, r.at()));
    }

    void replay(ServerSuspectedRecord r) {
        put(get(r.name()).withSuspect(true, r.at()));
    }

    void replay(ServerRejoinedRecord r) {
        put(get(r.name()).rejoined(r.address(), r.at()));
    }

    void replay(ServerRemovedRecord r) {
        get(r.name());
        servers = servers.minus(r.name());
    }

    private ServerImage get(String name) {
        ServerImage s = servers.get(name);
        if (s == null) {
            throw new ReplayException("record names unknown server '" + name + "'");
        }
        return s;
    }

    private void put(ServerImage s) {
        servers = servers.plus(s.name(), s);
    }
}
