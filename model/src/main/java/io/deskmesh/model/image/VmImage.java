package io.deskmesh.model.image;

import io.deskmesh.model.record.VmState;

/**
 * One VM as the grid knows it. Immutable.
 *
 * @param vmId         unique VM id
 * @param template     the template it was made from
 * @param server       the server hosting it
 * @param imageVersion the base image version its disk derives from
 * @param cpus         vCPUs it reserves on its host
 * @param memoryMb     memory it reserves on its host
 * @param state        lifecycle state
 * @param owner        for persistent desktops, the user who owns it; null otherwise
 * @param mac          MAC address given by its host at creation, empty before
 * @param sessionId    the session holding it, null when free
 * @param reason       why it is unhealthy or retiring, empty otherwise
 * @param allocatedAt  log time of allocation
 * @param since        log time of the last change
 */
public record VmImage(String vmId, String template, String server, int imageVersion, int cpus, long memoryMb,
                      VmState state, String owner, String mac, String sessionId, String reason, long allocatedAt,
                      long since) {

    /** Whether a new session may take it: built, healthy, not held, and not someone's own desktop. */
    public boolean free() {
        return (state == VmState.STOPPED || state == VmState.RUNNING) && sessionId == null && owner == null;
    }

    /** Whether it counts towards its template's pool (not on its way out, not broken). */
    public boolean counted() {
        return state != VmState.RETIRING && state != VmState.UNHEALTHY;
    }

    VmImage withState(VmState s, String why, long at) {
        return new VmImage(vmId, template, server, imageVersion, cpus, memoryMb, s, owner, mac, sessionId, why, allocatedAt, at);
    }

    VmImage withMac(String m, long at) {
        return new VmImage(vmId, template, server, imageVersion, cpus, memoryMb, VmState.STOPPED, owner, m, sessionId, "",
                allocatedAt, at);
    }

    VmImage withOwner(String o, long at) {
        return new VmImage(vmId, template, server, imageVersion, cpus, memoryMb, state, o, mac, sessionId, reason, allocatedAt, at);
    }

    VmImage withSession(String s, long at) {
        return new VmImage(vmId, template, server, imageVersion, cpus, memoryMb, state, owner, mac, s, reason, allocatedAt, at);
    }

    VmImage regenerated(int version, long at) {
        return new VmImage(vmId, template, server, version, cpus, memoryMb, VmState.STOPPED, owner, mac, sessionId, "",
                allocatedAt, at);
    }
}
