package io.deskmesh.node.agent;

import io.deskmesh.hypervisor.DriverException;
import io.deskmesh.hypervisor.libvirt.LibvirtDriver;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Agent channels of libvirt VMs: QEMU binds each VM's virtio-serial port
 * ({@code io.deskmesh.agent.0}) to a UNIX socket on the host, which this class connects to.
 * QEMU accepts one client per socket, so only one connection per VM should be open. Thread-safe.
 */
public final class UnixSocketAgentChannels implements AgentChannels {
    private final LibvirtDriver driver;

    public UnixSocketAgentChannels(LibvirtDriver driver) {
        this.driver = driver;
    }

    @Override
    public Optional<AgentConnection> open(String vmId) throws IOException {
        Optional<Path> socket;
        try {
            socket = driver.agentSocket(vmId);
        } catch (DriverException e) {
            return Optional.empty();
        }
        if (socket.isEmpty() || !Files.exists(socket.get())) {
            return Optional.empty();
        }
        SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket.get()));
        return Optional.of(new SocketConnection(channel));
    }

    private static final class SocketConnection implements AgentConnection {
        private final SocketChannel channel;
        private final BufferedReader in;
        private final OutputStream out;

        SocketConnection(SocketChannel channel) {
            this.channel = channel;
            this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.US_ASCII),
                    AgentEvent.MAX_LINE * 4);
            this.out = Channels.newOutputStream(channel);
        }

        @Override
        public String readLine() throws IOException {
            return in.readLine();
        }

        @Override
        public synchronized void send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
