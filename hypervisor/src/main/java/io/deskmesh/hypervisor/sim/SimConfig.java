package io.deskmesh.hypervisor.sim;

import io.deskmesh.model.record.Capacity;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Settings of one simulated host; immutable. Build with {@link #builder()}; every field has a
 * default suited to the demo.
 *
 * @param hostName                name in messages and {@link io.deskmesh.hypervisor.HostInfo}; default {@code "sim"}
 * @param capacity                cores, memory and disk offered to VMs; default 16 cores, 64 GiB, 1 TiB
 * @param vcpusPerCore            vCPU over-commit: powered-on vCPUs may reach {@code cpus * vcpusPerCore}; default 4
 * @param bootTime                how long a started VM stays STARTING before RUNNING, on {@code clock}; default 0
 * @param clock                   time source for boots; inject a manual clock for deterministic tests
 * @param hangTimeout             how long a call blocks on a {@link SimDriver#hang() hung} host before
 *                                failing, in real time (a hung call really holds its thread); default 30 s
 * @param startFailureProbability chance, 0..1, that a start fails with VmStartFailedException; default 0
 * @param seed                    seed of the random source behind {@code startFailureProbability}
 * @param overlayReserveMb        disk each defined VM reserves for its overlay to grow into; default 1024
 * @param bootWritesMb            how much a completed boot writes to the VM's overlay; default 64
 * @param networks                networks VMs may join; default {@code {"default"}}
 * @param storageRoot             directory used to name VM disks; the sim never creates or writes it
 */
public record SimConfig(String hostName, Capacity capacity, int vcpusPerCore, Duration bootTime, Clock clock,
                        Duration hangTimeout, double startFailureProbability, long seed, long overlayReserveMb,
                        long bootWritesMb, SortedSet<String> networks, Path storageRoot) {
    public SimConfig {
        Objects.requireNonNull(hostName, "hostName");
        Objects.requireNonNull(capacity, "capacity");
        Objects.requireNonNull(bootTime, "bootTime");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(hangTimeout, "hangTimeout");
        Objects.requireNonNull(networks, "networks");
        Objects.requireNonNull(storageRoot, "storageRoot");
        require(!hostName.isBlank(), "host name is blank; pass a name such as 'sim-1'");
        require(vcpusPerCore >= 1, "vcpusPerCore " + vcpusPerCore + " is below 1; pass 1 for no over-commit");
        require(!bootTime.isNegative(), "boot time " + bootTime + " is negative; pass Duration.ZERO for instant boots");
        require(hangTimeout.isPositive(), "hang timeout " + hangTimeout + " is not positive; pass e.g. 30 seconds");
        require(startFailureProbability >= 0 && startFailureProbability <= 1, "start failure probability "
                + startFailureProbability + " is outside 0..1");
        require(overlayReserveMb >= 0, "overlay reserve " + overlayReserveMb + " MiB is negative; pass 0 or more");
        require(bootWritesMb >= 0, "boot writes " + bootWritesMb + " MiB is negative; pass 0 or more");
        require(!networks.isEmpty(), "no networks configured; pass at least one, e.g. 'default'");
        networks = Collections.unmodifiableSortedSet(new TreeSet<>(networks));
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults, host named {@code hostName}. */
    public static SimConfig named(String hostName) {
        return builder().hostName(hostName).build();
    }

    /** A builder starting from this config. */
    public Builder toBuilder() {
        return new Builder().hostName(hostName).capacity(capacity).vcpusPerCore(vcpusPerCore).bootTime(bootTime)
                .clock(clock).hangTimeout(hangTimeout).startFailureProbability(startFailureProbability)
                .seed(seed).overlayReserveMb(overlayReserveMb).bootWritesMb(bootWritesMb).networks(networks)
                .storageRoot(storageRoot);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("sim config: " + message);
        }
    }

    /** Mutable builder for {@link SimConfig}; not thread-safe. */
    public static final class Builder {
        private String hostName = "sim";
        private Capacity capacity = new Capacity(16, 64 * 1024, 1024 * 1024);
        private int vcpusPerCore = 4;
        private Duration bootTime = Duration.ZERO;
        private Clock clock = Clock.systemUTC();
        private Duration hangTimeout = Duration.ofSeconds(30);
        private double startFailureProbability;
        private long seed;
        private long overlayReserveMb = 1024;
        private long bootWritesMb = 64;
        private Set<String> networks = Set.of("default");
        private Path storageRoot;

        private Builder() {
        }

        public Builder hostName(String value) {
            hostName = value;
            return this;
        }

        public Builder capacity(Capacity value) {
            capacity = value;
            return this;
        }

        public Builder capacity(int cpus, long memoryMb, long diskMb) {
            return capacity(new Capacity(cpus, memoryMb, diskMb));
        }

        public Builder vcpusPerCore(int value) {
            vcpusPerCore = value;
            return this;
        }

        public Builder bootTime(Duration value) {
            bootTime = value;
            return this;
        }

        public Builder clock(Clock value) {
            clock = value;
            return this;
        }

        public Builder hangTimeout(Duration value) {
            hangTimeout = value;
            return this;
        }

        public Builder startFailureProbability(double value) {
            startFailureProbability = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder overlayReserveMb(long value) {
            overlayReserveMb = value;
            return this;
        }

        public Builder bootWritesMb(long value) {
            bootWritesMb = value;
            return this;
        }

        public Builder networks(Set<String> value) {
            networks = value;
            return this;
        }

        /** Defaults to {@code /var/lib/deskmesh/sim/<hostName>}. */
        public Builder storageRoot(Path value) {
            storageRoot = value;
            return this;
        }

        public SimConfig build() {
            Path root = storageRoot != null ? storageRoot
                    : Path.of("/var/lib/deskmesh/sim", Objects.requireNonNull(hostName, "hostName"));
            return new SimConfig(hostName, capacity, vcpusPerCore, bootTime, clock, hangTimeout,
                    startFailureProbability, seed, overlayReserveMb, bootWritesMb, new TreeSet<>(networks), root);
        }
    }
}
