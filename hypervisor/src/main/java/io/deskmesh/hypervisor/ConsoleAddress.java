package io.deskmesh.hypervisor;

import java.util.Objects;

/**
 * Where a running VM's console listens, as seen from its own host; immutable. The node's
 * console proxy connects here; clients never do.
 *
 * @param protocol what the port speaks
 * @param host     address to connect to, usually loopback
 * @param port     TCP port, 1..65535
 */
public record ConsoleAddress(ConsoleProtocol protocol, String host, int port) {
    public ConsoleAddress {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("console host must not be blank; pass an address such as 127.0.0.1");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("console port " + port + " is outside 1..65535; pass the port the "
                    + protocol + " server listens on");
        }
    }
}
