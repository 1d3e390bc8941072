package io.deskmesh.model.record;

import java.util.Objects;

/**
 * Everything an admin says about a template; shared by the create and update records.
 *
 * @param name                     unique template name
 * @param cpus                     vCPUs per VM
 * @param memoryMb                 memory per VM, MiB
 * @param baseImage                base image name the VMs are cloned from
 * @param imageVersion             version of the base image new VMs use
 * @param pool                     persistent or non-persistent
 * @param desiredVms               a number, or auto
 * @param spareVms                 free VMs kept powered on, ready for the next login
 * @param minReplicas              the fewest servers that must hold the base image
 * @param idleTimeoutSeconds       a connected session idle this long is logged off (0 = never)
 * @param disconnectTimeoutSeconds a disconnected session is logged off after this long (0 = never)
 */
public record TemplateSpec(String name, int cpus, long memoryMb, String baseImage, int imageVersion,
                           PoolKind pool, DesiredVms desiredVms, int spareVms, int minReplicas,
                           int idleTimeoutSeconds, int disconnectTimeoutSeconds) {
    public TemplateSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(baseImage, "baseImage");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(desiredVms, "desiredVms");
    }

    public TemplateSpec withDesiredVms(DesiredVms desired) {
        return new TemplateSpec(name, cpus, memoryMb, baseImage, imageVersion, pool, desired, spareVms,
                minReplicas, idleTimeoutSeconds, disconnectTimeoutSeconds);
    }

    public TemplateSpec withImageVersion(int version) {
        return new TemplateSpec(name, cpus, memoryMb, baseImage, version, pool, desiredVms, spareVms,
                minReplicas, idleTimeoutSeconds, disconnectTimeoutSeconds);
    }
}
