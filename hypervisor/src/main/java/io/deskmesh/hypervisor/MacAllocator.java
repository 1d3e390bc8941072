package io.deskmesh.hypervisor;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Derives a VM's MAC address from its id, avoiding the MACs already in use in the grid;
 * immutable and thread-safe.
 *
 * <p><b>Goals.</b> Every node that allocates the MAC for the same VM id against the same
 * in-use set gets the same answer (so it can run inside deterministic command generation),
 * and no two VMs in a grid share a MAC.
 *
 * <p><b>Constraints.</b> Addresses are locally administered unicast (first octet has bit 1
 * set and bit 0 clear), under one 24-bit prefix. DeskMesh's prefix is {@link #DESKMESH_PREFIX}
 * {@code 02:de:5c} ("DEsk", 5C for the mesh): it stays clear of QEMU's {@code 52:54:00} and of
 * every IEEE-assigned OUI, and leaves 2<sup>24</sup> = 16,777,216 addresses per grid.
 *
 * <p><b>Algorithm.</b> Hash the id's UTF-8 bytes with 64-bit FNV-1a, mix with the MurmurHash3
 * finalizer, and take the low 24 bits as the preferred suffix. If that address is in use, probe
 * suffix+1, suffix+2, ... (wrapping) until a free one is found. The hash is part of the grid's
 * behaviour: changing it would change only future allocations, because every allocated MAC is
 * recorded, but it would make replays of old command logs disagree, so leave it alone.
 */
public final class MacAllocator {
    /** {@code 02:de:5c}: locally administered, unicast. */
    public static final int DESKMESH_PREFIX = 0x02de5c;
    /** The allocator every DeskMesh grid uses. */
    public static final MacAllocator DESKMESH = new MacAllocator(DESKMESH_PREFIX);

    private static final int SUFFIX_COUNT = 1 << 24;
    private static final int SUFFIX_MASK = SUFFIX_COUNT - 1;

    private final int prefix;

    /**
     * @param prefix the first three octets, e.g. {@code 0x02de5c}; must be locally administered unicast
     * @throws IllegalArgumentException naming the prefix when it is not
     */
    public MacAllocator(int prefix) {
        if ((prefix & ~0xffffff) != 0 || (prefix & 0x020000) == 0 || (prefix & 0x010000) != 0) {
            throw new IllegalArgumentException(String.format("MAC prefix %06x is not a 24-bit locally"
                    + " administered unicast prefix; its first octet must have bit 1 set and bit 0 clear,"
                    + " e.g. 02:de:5c", prefix));
        }
        this.prefix = prefix;
    }

    /** The first three octets this allocator hands out. */
    public int prefix() {
        return prefix;
    }

    /** The address {@code vmId} gets when nothing is in the way: the first probe of {@link #allocate}. */
    public MacAddress preferred(String vmId) {
        return address(suffixOf(vmId));
    }

    /**
     * Returns the first free address in {@code vmId}'s probe sequence.
     *
     * @param inUse MACs already assigned in the grid
     * @throws InsufficientCapacityException when all 2<sup>24</sup> addresses under the prefix are in use
     */
    public MacAddress allocate(String vmId, Set<MacAddress> inUse) {
        Objects.requireNonNull(inUse, "inUse");
        return allocate(vmId, inUse::contains);
    }

    /**
     * Returns the first free address in {@code vmId}'s probe sequence, asking {@code inUse} about
     * each candidate (useful when the caller stores MACs as strings).
     *
     * @throws InsufficientCapacityException when all 2<sup>24</sup> addresses under the prefix are in use
     */
    public MacAddress allocate(String vmId, Predicate<MacAddress> inUse) {
        Objects.requireNonNull(inUse, "inUse");
        int start = suffixOf(vmId);
        for (int i = 0; i < SUFFIX_COUNT; i++) {
            MacAddress candidate = address((start + i) & SUFFIX_MASK);
            if (!inUse.test(candidate)) {
                return candidate;
            }
        }
        throw new InsufficientCapacityException("cannot allocate a MAC for VM '" + vmId + "'",
                String.format("MAC addresses under prefix %06x", prefix), 1, 0, SUFFIX_COUNT,
                "delete unused VMs; a grid holds at most 16,777,216 VMs");
    }

    /** Whether {@code mac} lies under this allocator's prefix. */
    public boolean owns(MacAddress mac) {
        return (mac.value() >>> 24) == prefix;
    }

    private MacAddress address(int suffix) {
        return new MacAddress(((long) prefix << 24) | suffix);
    }

    private static int suffixOf(String vmId) {
        Objects.requireNonNull(vmId, "vmId");
        long hash = 0xcbf29ce484222325L;
        for (byte b : vmId.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        hash ^= hash >>> 33;
        return (int) hash & SUFFIX_MASK;
    }
}
