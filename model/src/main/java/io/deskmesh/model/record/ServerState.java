package io.deskmesh.model.record;

/** Lifecycle of a server in the grid, as replicated. */
public enum ServerState {
    /** Serving: may hold images, host VMs and take logins. */
    ACTIVE,
    /** Keeps what it hosts but is given nothing new; its share is re-planned elsewhere. */
    DRAINING,
    /** Stopped answering; excluded from brokering, its share re-planned until it rejoins. */
    MISSING
}
