package io.deskmesh.model.plan;

/**
 * One place a login could land. Immutable.
 *
 * @param server the hosting server
 * @param vmId   the VM to reserve there
 * @param score  fitness 0..1, higher is better
 * @param why    the reason it ranks where it does (reconnect, own desktop, load, site ...)
 */
public record Candidate(String server, String vmId, double score, String why) {
}
