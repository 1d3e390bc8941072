package io.deskmesh.model.image;

import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.ServerState;

/**
 * One server as the grid knows it. Immutable. Draining, missing and suspect are independent: a
 * drained server that goes missing is still drained when it returns.
 *
 * @param name     unique server name
 * @param site     the site (rack, room, region) it stands in; used to keep images and logins local
 * @param address  its HTTP address (host:port), for image transfers and console hops
 * @param capacity what it offers to VMs
 * @param draining an admin asked it to take nothing new
 * @param missing  it stopped answering and was recorded missing
 * @param suspect  a broker could not reach it; skipped for logins until it rejoins
 * @param joinedAt log time it first joined
 * @param since    log time of its last state change
 */
public record ServerImage(String name, String site, String address, Capacity capacity, boolean draining,
                          boolean missing, boolean suspect, long joinedAt, long since) {

    /** The state shown to people: missing wins over draining. */
    public ServerState state() {
        if (missing) {
            return ServerState.MISSING;
        }
        return draining ? ServerState.DRAINING : ServerState.ACTIVE;
    }

    /** Answering: its images and VMs count. Draining servers are live. */
    public boolean live() {
        return !missing;
    }

    /** May be given new images, VMs and sessions. */
    public boolean schedulable() {
        return !missing && !draining && !suspect;
    }

    ServerImage withCapacity(Capacity c, long at) {
        return new ServerImage(name, site, address, c, draining, missing, suspect, joinedAt, at);
    }

    ServerImage withDraining(boolean d, long at) {
        return new ServerImage(name, site, address, capacity, d, missing, suspect, joinedAt, at);
    }

    ServerImage withMissing(boolean m, long at) {
        return new ServerImage(name, site, address, capacity, draining, m, suspect, joinedAt, at);
    }

    ServerImage withSuspect(boolean s, long at) {
        return new ServerImage(name, site, address, capacity, draining, missing, s, joinedAt, at);
    }

    ServerImage rejoined(String newAddress, long at) {
        return new ServerImage(name, site, newAddress == null ? address : newAddress, capacity, draining, false,
                false, joinedAt, at);
    }
}
