package io.deskmesh.hypervisor;

import java.util.Objects;

/**
 * Size and free space of the storage area holding VM disks; immutable.
 *
 * @param location      where VM disks live (a directory, a libvirt pool, or a sim label)
 * @param capacityBytes size of the area
 * @param freeBytes     free space, 0..capacityBytes
 */
public record StorageInfo(String location, long capacityBytes, long freeBytes) {
    public StorageInfo {
        Objects.requireNonNull(location, "location");
        if (capacityBytes < 0 || freeBytes < 0 || freeBytes > capacityBytes) {
            throw new IllegalArgumentException("storage '" + location + "' reports free " + freeBytes
                    + " of " + capacityBytes + " bytes; both must be non-negative and free at most capacity");
        }
    }
}
