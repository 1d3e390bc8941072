package io.deskmesh.model.plan;

import io.deskmesh.model.image.ImageRef;

/**
 * One step of a plan, carried out by exactly one server: {@link #server()}. A node executes the
 * actions that name it and reports each outcome as a command. Immutable.
 */
public sealed interface PlanAction {
    /** The server that must carry this action out. */
    String server();

    /** Fetch a base image version from {@code source}. */
    record FetchReplica(String server, ImageRef ref, String source) implements PlanAction {
    }

    /** Delete a local copy of a base image version no VM here uses. */
    record DropReplica(String server, ImageRef ref) implements PlanAction {
    }

    /** Submit an allocation of {@code count} new VMs of a template here. */
    record AllocateVms(String server, String template, int count) implements PlanAction {
    }

    /** Create an allocated VM on the hypervisor (disk overlay, definition). */
    record BuildVm(String server, String vmId) implements PlanAction {
    }

    /** Power a VM on. */
    record StartVm(String server, String vmId) implements PlanAction {
    }

    /** Power a free VM off (beyond the spare buffer). */
    record StopVm(String server, String vmId) implements PlanAction {
    }

    /** Reset a VM's disk from an image version (after a non-persistent session, or a rollout). */
    record RegenerateVm(String server, String vmId, int imageVersion) implements PlanAction {
    }

    /** Submit the retirement of a free VM the pool no longer needs here. */
    record RetireVm(String server, String vmId, String reason) implements PlanAction {
    }

    /** Delete a retired or unhealthy VM from the hypervisor. */
    record DeleteVm(String server, String vmId) implements PlanAction {
    }
}
