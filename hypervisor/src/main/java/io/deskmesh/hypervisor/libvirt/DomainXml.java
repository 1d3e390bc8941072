package io.deskmesh.hypervisor.libvirt;

import io.deskmesh.hypervisor.ConsoleAddress;
import io.deskmesh.hypervisor.ConsoleProtocol;
import io.deskmesh.hypervisor.MacAddress;
import io.deskmesh.hypervisor.VmSpec;
import io.deskmesh.hypervisor.libvirt.LibvirtConfig.DomainType;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * Writes a {@link DomainDefinition} as libvirt domain XML and reads definitions and console
 * ports back from the XML libvirt returns; stateless and thread-safe.
 *
 * <p>The whole {@link VmSpec} is kept in the domain's {@code <metadata>} under
 * {@link #NAMESPACE}, so a restarted driver recovers every VM from libvirt alone and
 * {@code define} can compare specs exactly. The devices are: one virtio qcow2 disk, a virtio NIC
 * only when a libvirt network is named, VNC or SPICE on 127.0.0.1, and a virtio-serial channel
 * named {@link #AGENT_CHANNEL} for the desktop agent.
 */
public final class DomainXml {
    /** XML namespace of DeskMesh's domain metadata. */
    public static final String NAMESPACE = "https://deskmesh.io/xmlns/libvirt/vm/1";
    /** Name of the virtio-serial port the desktop agent opens in the guest. */
    public static final String AGENT_CHANNEL = "io.deskmesh.agent.0";
    /** The only address consoles listen on: the node's console proxy connects locally. */
    public static final String CONSOLE_LISTEN = "127.0.0.1";

    private DomainXml() {
    }

    /** The domain XML for {@code def}, to pass to {@code virDomainDefineXML}. */
    public static String render(DomainDefinition def, DomainType type) {
        VmSpec spec = def.spec();
        StringBuilder x = new StringBuilder(2048);
        x.append("<domain type='").append(type.xmlName()).append("'>\n");
        x.append("  <name>").append(esc(def.domainName())).append("</name>\n");
        def.uuid().ifPresent(u -> x.append("  <uuid>").append(esc(u)).append("</uuid>\n"));
        x.append("  <title>").append(esc(oneLine(spec.name()))).append("</title>\n");
        x.append("  <metadata>\n    <dm:vm xmlns:dm='").append(NAMESPACE).append("'");
        attr(x, "id", spec.vmId());
        attr(x, "name", spec.name());
        attr(x, "cpus", Integer.toString(spec.cpus()));
        attr(x, "memory-mib", Long.toString(spec.memoryMb()));
        attr(x, "base-image", spec.baseImage().toString());
        if (spec.diskDirectory() != null) {
            attr(x, "disk-directory", spec.diskDirectory().toString());
        }
        attr(x, "mac", spec.mac().toString());
        attr(x, "network", spec.network());
        attr(x, "console", spec.consoleProtocol().name());
        attr(x, "disk", def.disk().toString());
        def.nicNetwork().ifPresent(n -> attr(x, "nic-network", n));
        x.append("/>\n  </metadata>\n");
        x.append("  <memory unit='MiB'>").append(spec.memoryMb()).append("</memory>\n");
        x.append("  <vcpu>").append(spec.cpus()).append("</vcpu>\n");
        x.append("  <os>\n    <type>hvm</type>\n    <boot dev='hd'/>\n  </os>\n");
        // ACPI lets the guest see the power button that a graceful shutdown presses.
        x.append("  <features>\n    <acpi/>\n    <apic/>\n  </features>\n");
        x.append("  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>restart</on_reboot>\n");
        x.append("  <on_crash>destroy</on_crash>\n");
        x.append("  <devices>\n");
        x.append("    <disk type='file' device='disk'>\n      <driver name='qemu' type='qcow2'/>\n");
        x.append("      <source file='").append(esc(def.disk().toString())).append("'/>\n");
        x.append("      <target dev='vda' bus='virtio'/>\n    </disk>\n");
        def.nicNetwork().ifPresent(n -> x.append("    <interface type='network'>\n      <mac address='")
                .append(spec.mac()).append("'/>\n      <source network='").append(esc(n))
                .append("'/>\n      <model type='virtio'/>\n    </interface>\n"));
        String graphics = spec.consoleProtocol() == ConsoleProtocol.SPICE ? "spice" : "vnc";
        x.append("    <graphics type='").append(graphics).append("'");
        def.consolePort().ifPresentOrElse(p -> x.append(" port='").append(p).append("' autoport='no'"),
                () -> x.append(" autoport='yes'"));
        x.append(" listen='").append(CONSOLE_LISTEN).append("'>\n      <listen type='address' address='")
                .append(CONSOLE_LISTEN).append("'/>\n    </graphics>\n");
        x.append("    <channel type='unix'>\n      <source mode='bind'");
        def.agentSocket().ifPresent(p -> x.append(" path='").append(esc(p.toString())).append("'"));
        x.append("/>\n      <target type='virtio' name='").append(AGENT_CHANNEL).append("'/>\n    </channel>\n");
        x.append("  </devices>\n</domain>\n");
        return x.toString();
    }

    /**
     * Reads the definition back from a domain's XML (inactive or live).
     *
     * @return empty when the domain carries no DeskMesh metadata (it was not made by a DeskMesh driver)
     * @throws IllegalArgumentException naming the domain when the XML or its metadata is malformed
     */
    public static Optional<DomainDefinition> parse(String xml) {
        Element root = parseXml(xml);
        String domainName = childText(root, "name").orElse("?");
        NodeList found = root.getElementsByTagNameNS(NAMESPACE, "vm");
        if (found.getLength() == 0) {
            return Optional.empty();
        }
        Element vm = (Element) found.item(0);
        try {
            Path diskDirectory = vm.hasAttribute("disk-directory") ? Path.of(vm.getAttribute("disk-directory")) : null;
            VmSpec spec = new VmSpec(required(vm, "id"), required(vm, "name"),
                    Integer.parseInt(required(vm, "cpus")), Long.parseLong(required(vm, "memory-mib")),
                    Path.of(required(vm, "base-image")), diskDirectory, MacAddress.parse(required(vm, "mac")),
                    required(vm, "network"), ConsoleProtocol.valueOf(required(vm, "console")));
            Optional<String> nic = vm.hasAttribute("nic-network") ? Optional.of(vm.getAttribute("nic-network"))
                    : Optional.empty();
            Optional<Element> graphics = firstDevice(root, "graphics");
            Optional<Integer> fixedPort = graphics.filter(g -> "no".equals(g.getAttribute("autoport")))
                    .map(g -> Integer.parseInt(g.getAttribute("port")));
            return Optional.of(new DomainDefinition(domainName, childText(root, "uuid"), spec,
                    Path.of(required(vm, "disk")), agentSocket(root), nic, fixedPort));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("domain '" + domainName + "' has unreadable DeskMesh metadata ("
                    + e.getMessage() + "); undefine it with virsh or repair its <metadata>", e);
        }
    }

    /** The console a running domain's live XML names, or empty when it has no port (yet). */
    public static Optional<ConsoleAddress> console(String liveXml) {
        Optional<Element> graphics = firstDevice(parseXml(liveXml), "graphics");
        if (graphics.isEmpty()) {
            return Optional.empty();
        }
        Element g = graphics.get();
        ConsoleProtocol protocol = switch (g.getAttribute("type").toLowerCase(Locale.ROOT)) {
            case "vnc" -> ConsoleProtocol.VNC;
            case "spice" -> ConsoleProtocol.SPICE;
            default -> null;
        };
        int port;
        try {
            port = Integer.parseInt(g.getAttribute("port"));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (protocol == null || port < 1 || port > 65_535) {
            return Optional.empty();
        }
        String listen = g.getAttribute("listen");
        return Optional.of(new ConsoleAddress(protocol, listen.isEmpty() ? CONSOLE_LISTEN : listen, port));
    }

    /** The host path of the agent channel's unix socket in a domain's XML, if it names one. */
    public static Optional<Path> agentSocket(String xml) {
        return agentSocket(parseXml(xml));
    }

    private static Optional<Path> agentSocket(Element root) {
        for (Element channel : devices(root, "channel")) {
            Optional<Element> target = firstChild(channel, "target");
            Optional<Element> source = firstChild(channel, "source");
            if (target.isPresent() && AGENT_CHANNEL.equals(target.get().getAttribute("name"))
                    && source.isPresent() && source.get().hasAttribute("path")) {
                return Optional.of(Path.of(source.get().getAttribute("path")));
            }
        }
        return Optional.empty();
    }

    /** Parses XML that libvirt returned, refusing DTDs. */
    static Element parseXml(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            Document doc = builder.parse(new InputSource(new StringReader(xml)));
            return doc.getDocumentElement();
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new IllegalArgumentException("libvirt returned XML that does not parse: " + e.getMessage(), e);
        }
    }

    private static Optional<Element> firstDevice(Element root, String tag) {
        List<Element> all = devices(root, tag);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    private static List<Element> devices(Element root, String tag) {
        List<Element> out = new ArrayList<>();
        firstChild(root, "devices").ifPresent(devices -> {
            for (Node n = devices.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && tag.equals(e.getLocalName() != null ? e.getLocalName() : e.getTagName())) {
                    out.add(e);
                }
            }
        });
        return out;
    }

    private static Optional<Element> firstChild(Element parent, String tag) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getNamespaceURI() == null && tag.equals(e.getLocalName())) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> childText(Element parent, String tag) {
        return firstChild(parent, tag).map(e -> e.getTextContent().strip()).filter(s -> !s.isEmpty());
    }

    private static String required(Element vm, String attribute) {
        if (!vm.hasAttribute(attribute)) {
            throw new IllegalArgumentException("attribute '" + attribute + "' is missing");
        }
        return vm.getAttribute(attribute);
    }

    private static void attr(StringBuilder x, String name, String value) {
        x.append(' ').append(name).append("='").append(esc(value)).append('\'');
    }

    private static String oneLine(String text) {
        return text.replaceAll("[\\r\\n]+", " ");
    }

    /** Escapes text for XML character data and single- or double-quoted attributes. */
    static String esc(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '\'' -> out.append("&apos;");
                case '"' -> out.append("&quot;");
                // character references survive attribute-value normalisation, raw whitespace does not
                case '\t', '\n', '\r' -> out.append("&#").append((int) c).append(';');
                default -> out.append(c < 0x20 ? ' ' : c);  // other controls are not XML 1.0 characters
            }
        }
        return out.toString();
    }
}
