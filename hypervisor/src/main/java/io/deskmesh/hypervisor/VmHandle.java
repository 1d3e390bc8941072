package io.deskmesh.hypervisor;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A VM as it was defined on a host: its current spec and where its disk lives; immutable.
 *
 * @param spec the definition now in force (after any {@link HypervisorDriver#modify})
 * @param disk the VM's copy-on-write overlay disk
 */
public record VmHandle(VmSpec spec, Path disk) {
    public VmHandle {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(disk, "disk");
    }

    public String vmId() {
        return spec.vmId();
    }
}
