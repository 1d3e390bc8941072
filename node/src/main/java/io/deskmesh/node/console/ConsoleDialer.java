package io.deskmesh.node.console;

import io.deskmesh.hypervisor.ConsoleAddress;
import io.deskmesh.hypervisor.DriverException;
import io.deskmesh.hypervisor.HostUnavailableException;
import io.deskmesh.hypervisor.HypervisorDriver;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Opens the far end of a console: the VM's console port through this node's hypervisor driver, or
 * the VM's host through its internal console endpoint. Failures carry the close the client gets.
 * Blocking (a hung hypervisor holds the caller until the driver gives up); call it on a virtual
 * thread. Thread-safe.
 */
final class ConsoleDialer implements AutoCloseable {
    /** The far end could not be opened; {@code why} and the message are what the client is told. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final transient ConsoleClose why;

        Failure(ConsoleClose why, String message) {
            super(message, null, false, false);
            this.why = why;
        }
    }

    private final String self;
    private final HypervisorDriver driver;
    private final Supplier<ClusterImage> image;
    private final String gridSecret;
    private final Duration timeout;
    private final HttpClient http;

    ConsoleDialer(String self, HypervisorDriver driver, Supplier<ClusterImage> image, String gridSecret, Duration timeout) {
        this.self = self;
        this.driver = driver;
        this.image = image;
        this.gridSecret = gridSecret;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /** The console port of one of this host's VMs. */
    Upstream local(String vmId, Upstream.Sink sink) throws Failure {
        Optional<ConsoleAddress> address;
        try {
            address = driver.console(vmId);
        } catch (HostUnavailableException e) {
            throw new Failure(ConsoleClose.HOST_GONE, "The hypervisor of server '" + self + "', which hosts your desktop,"
                    + " is not answering.");
        } catch (DriverException e) {
            throw new Failure(ConsoleClose.NOT_RUNNING, "Your desktop is gone from server '" + self + "'. Connect again.");
        }
        if (address.isEmpty()) {
            throw new Failure(ConsoleClose.NOT_RUNNING, "Your desktop is not running. Connect to it again to start it.");
        }
        try {
            return TcpUpstream.connect(address.get(), timeout, sink);
        } catch (IOException e) {
            throw new Failure(ConsoleClose.NOT_RUNNING, "Your desktop's console is not answering. Connect again.");
        }
    }

    /** The console of a VM on another server, through that server's internal console endpoint. */
    Upstream viaHost(String server, String vmId, String sessionId, Upstream.Sink sink) throws Failure {
        ServerImage host = image.get().servers().get(server).orElse(null);
        if (host == null || host.missing()) {
            throw new Failure(ConsoleClose.HOST_GONE, gone(server) + " is not answering. Connect again.");
        }
        URI uri = URI.create("ws://" + host.address() + "/internal/v1/console/" + encode(vmId) + "?session="
                + encode(sessionId));
        try {
            return HopUpstream.connect(http, uri, gridSecret, timeout, sink);
        } catch (IOException e) {
            throw new Failure(ConsoleClose.HOST_GONE, gone(server) + " did not answer. Connect again.");
        }
    }

    /** How the client hears of its desktop's host: "Server 'node2', which hosts your desktop,". */
    static String gone(String server) {
        return "Server '" + server + "', which hosts your desktop,";
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        http.shutdownNow();
    }
}
