package io.deskmesh.model.image;

import io.deskmesh.model.record.SessionState;

/**
 * One live session. Immutable. Ended sessions leave the image (the audit trail keeps them).
 *
 * @param id         unique session id
 * @param user       who holds it
 * @param template   the template of its VM
 * @param vmId       the VM it holds
 * @param server     the server hosting that VM
 * @param state      reserved, connected or disconnected
 * @param reservedAt log time of the reservation
 * @param since      log time of the last state change, or of the last recorded activity of a connected
 *                   session (see {@code ConnectSessionCommand}); idle and disconnect timeouts count from it
 */
public record SessionImage(String id, String user, String template, String vmId, String server, SessionState state,
                           long reservedAt, long since) {
    SessionImage withState(SessionState s, long at) {
        return new SessionImage(id, user, template, vmId, server, s, reservedAt, at);
    }
}
