package io.deskmesh.hypervisor.libvirt;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Settings of one {@link LibvirtDriver}; immutable. Build with {@link #builder()}; every field
 * has a default suited to a host running {@code qemu:///system}.
 *
 * @param uri                 libvirt connection URI; {@code qemu:///system} by default,
 *                            {@code test:///default} for libvirt's in-process test hypervisor
 * @param storageDir          where VM overlays and agent sockets live unless a spec names its own
 *                            directory; QEMU's user must be able to traverse it
 * @param domainPrefix        prefix of every libvirt domain name this driver owns; domains without
 *                            it are never listed or touched; default {@code "deskmesh-"}
 * @param domainType          {@link DomainType#QEMU} (TCG, works everywhere) or {@link DomainType#KVM}
 * @param networks            the DeskMesh network names VMs may join and how each attaches a NIC;
 *                            default {@code {"default": AUTO}}
 * @param consolePorts        how VNC/SPICE ports are chosen; default libvirt's autoport
 * @param maxShutdownGrace    upper bound on any graceful shutdown's wait before the forced
 *                            power-off, or empty to honour the caller's grace as given
 * @param vcpusPerCore        vCPU over-commit: powered-on vCPUs may reach {@code cores * vcpusPerCore}
 * @param overlayReserveMb    free disk a new overlay needs in its directory, or define is refused
 * @param crossCheckWithOs    whether to raise libvirt's CPU and memory figures to the OS's own
 *                            (/proc/meminfo, available processors) when libvirt reports less;
 *                            only applies to a URI without a host part
 * @param overlays            creates overlay disks; {@link QemuImgOverlays} unless a test plugs in another
 */
public record LibvirtConfig(URI uri, Path storageDir, String domainPrefix, DomainType domainType,
                            SortedMap<String, NicMode> networks, ConsolePorts consolePorts,
                            Optional<Duration> maxShutdownGrace, int vcpusPerCore, long overlayReserveMb,
                            boolean crossCheckWithOs, OverlayMaker overlays) {
    /** libvirt's QEMU system instance, the default. */
    public static final URI QEMU_SYSTEM = URI.create("qemu:///system");
    /** libvirt's in-process test hypervisor: fake domains, no QEMU, shared within one process. */
    public static final URI TEST_DEFAULT = URI.create("test:///default");

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,31}");

    public LibvirtConfig {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(storageDir, "storageDir");
        Objects.requireNonNull(domainPrefix, "domainPrefix");
        Objects.requireNonNull(domainType, "domainType");
        Objects.requireNonNull(networks, "networks");
        Objects.requireNonNull(consolePorts, "consolePorts");
        Objects.requireNonNull(maxShutdownGrace, "maxShutdownGrace");
        Objects.requireNonNull(overlays, "overlays");
        require(PREFIX.matcher(domainPrefix).matches(), "domain prefix '" + domainPrefix + "' must be 1-32"
                + " characters of letters, digits, '.', '_' or '-', starting with a letter or digit, e.g. 'deskmesh-'");
        require(!networks.isEmpty(), "no networks configured; pass at least one, e.g. network(\"default\")");
        require(vcpusPerCore >= 1, "vcpusPerCore " + vcpusPerCore + " is below 1; pass 1 for no over-commit");
        require(overlayReserveMb >= 0, "overlay reserve " + overlayReserveMb + " MiB is negative; pass 0 or more");
        maxShutdownGrace.ifPresent(g -> require(!g.isNegative(), "max shutdown grace " + g
                + " is negative; pass Duration.ZERO to force at once"));
        storageDir = storageDir.toAbsolutePath().normalize();
        networks = Collections.unmodifiableSortedMap(new TreeMap<>(networks));
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether the URI names the local machine, so the OS's own figures describe the hypervisor's host. */
    public boolean isLocal() {
        return uri.getHost() == null || uri.getHost().isEmpty();
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("libvirt config: " + message);
        }
    }

    /** libvirt domain type: which accelerator QEMU uses. */
    public enum DomainType {
        /** Pure emulation (TCG): slow, but needs no /dev/kvm; the default. */
        QEMU("qemu"),
        /** Hardware virtualisation through /dev/kvm. */
        KVM("kvm");

        private final String xmlName;

        DomainType(String xmlName) {
            this.xmlName = xmlName;
        }

        /** The value of {@code <domain type='...'>}. */
        public String xmlName() {
            return xmlName;
        }
    }

    /** How a VM on a DeskMesh network gets its NIC. */
    public enum NicMode {
        /**
         * Attach a virtio NIC to the libvirt network of the same name when libvirt has it and it
         * is active when the VM is defined; otherwise define the VM without a NIC (its MAC is
         * still recorded and kept unique).
         */
        AUTO,
        /** Always attach to the libvirt network of the same name; define fails if libvirt lacks it. */
        LIBVIRT_NETWORK,
        /** Never attach a NIC (for hosts without networking for guests, e.g. no dnsmasq). */
        NONE
    }

    /** Mutable builder for {@link LibvirtConfig}; not thread-safe. */
    public static final class Builder {
        private URI uri = QEMU_SYSTEM;
        private Path storageDir = Path.of("/var/lib/deskmesh/vms");
        private String domainPrefix = "deskmesh-";
        private DomainType domainType = DomainType.QEMU;
        private final SortedMap<String, NicMode> networks = new TreeMap<>();
        private ConsolePorts consolePorts = ConsolePorts.autoport();
        private Duration maxShutdownGrace;
        private int vcpusPerCore = 4;
        private long overlayReserveMb = 1024;
        private boolean crossCheckWithOs = true;
        private OverlayMaker overlays = new QemuImgOverlays();

        private Builder() {
        }

        public Builder uri(URI value) {
            this.uri = value;
            return this;
        }

        public Builder uri(String value) {
            return uri(URI.create(value));
        }

        public Builder storageDir(Path value) {
            this.storageDir = value;
            return this;
        }

        public Builder domainPrefix(String value) {
            this.domainPrefix = value;
            return this;
        }

        public Builder domainType(DomainType value) {
            this.domainType = value;
            return this;
        }

        /** Lets VMs join network {@code name}, attaching a NIC as {@link NicMode#AUTO} decides. */
        public Builder network(String name) {
            return network(name, NicMode.AUTO);
        }

        public Builder network(String name, NicMode mode) {
            networks.put(Objects.requireNonNull(name, "network name"), Objects.requireNonNull(mode, "mode"));
            return this;
        }

        public Builder consolePorts(ConsolePorts value) {
            this.consolePorts = value;
            return this;
        }

        /** Caps every graceful shutdown's wait (e.g. for guests known to ignore ACPI). */
        public Builder maxShutdownGrace(Duration value) {
            this.maxShutdownGrace = value;
            return this;
        }

        public Builder vcpusPerCore(int value) {
            this.vcpusPerCore = value;
            return this;
        }

        public Builder overlayReserveMb(long value) {
            this.overlayReserveMb = value;
            return this;
        }

        public Builder crossCheckWithOs(boolean value) {
            this.crossCheckWithOs = value;
            return this;
        }

        public Builder overlays(OverlayMaker value) {
            this.overlays = value;
            return this;
        }

        public LibvirtConfig build() {
            SortedMap<String, NicMode> nets = networks.isEmpty() ? new TreeMap<>(Map.of("default", NicMode.AUTO))
                    : networks;
            return new LibvirtConfig(uri, storageDir, domainPrefix, domainType, nets, consolePorts,
                    Optional.ofNullable(maxShutdownGrace), vcpusPerCore, overlayReserveMb, crossCheckWithOs, overlays);
        }
    }
}
