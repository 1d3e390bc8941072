package io.deskmesh.hypervisor.sim.rfb;

import io.deskmesh.hypervisor.ConsoleAddress;
import io.deskmesh.hypervisor.ConsoleProtocol;
import io.deskmesh.hypervisor.MacAllocator;
import io.deskmesh.hypervisor.VmSpec;
import io.deskmesh.hypervisor.sim.SimConfig;
import io.deskmesh.hypervisor.sim.SimDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RfbConsoleServerTest {
    private static final String HOST = "sim-1";
    private static final String VM = "office-0001";
    private static final int TIMEOUT_MS = 5_000;

    private final TestClock clock = new TestClock(Instant.parse("2025-01-02T10:20:30Z"));
    private final RfbConsoleServer server = new RfbConsoleServer((host, vm) -> new RfbConsoleServer.Label("office", "alice"),
            clock);

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void rfb38HandshakeNamesTheDesktopAndAFullUpdateDrawsIt() throws IOException {
        int port = server.open(HOST, VM, ConsoleProtocol.VNC);
        try (RfbClient c = RfbClient.connect("127.0.0.1", port, 8, TIMEOUT_MS)) {
            assertThat(c.width()).isEqualTo(640);
            assertThat(c.height()).isEqualTo(400);
            assertThat(c.name()).isEqualTo("office (alice)");
            assertThat(c.format()).isEqualTo(PixelFormat.SERVER);
            c.requestUpdate(false, 0, 0, 640, 400);
            RfbClient.Rectangle r = single(c.readUpdate());
            assertThat(List.of(r.x(), r.y(), r.width(), r.height())).containsExactly(0, 0, 640, 400);
            assertThat(Arrays.stream(r.rgb()).distinct().count()).as("distinct colours").isGreaterThan(10);
            assertThat(r.rgb()).as("white text on the title bar and taskbar").contains(0xFFFFFF);
        }
    }

    @Test
    void rfb33And37HandshakesAreServedToo() throws IOException {
        int port = server.open(HOST, VM, ConsoleProtocol.VNC);
        for (int minor : new int[]{3, 7}) {
            try (RfbClient c = RfbClient.connect("127.0.0.1", port, minor, TIMEOUT_MS)) {
                assertThat(c.name()).as("3.%d", minor).isEqualTo("office (alice)");
                c.requestUpdate(false, 10, 20, 30, 40);
                RfbClient.Rectangle r = single(c.readUpdate());
                assertThat(List.of(r.x(), r.y(), r.width(), r.height())).containsExactly(10, 20, 30, 40);
            }
        }
    }

    @Test
    void theClientsPixelFormatIsHonoured() throws IOException {
        int port = server.open(HOST, VM, ConsoleProtocol.VNC);
        try (RfbClient c = RfbClient.connect("127.0.0.1", port, 8, TIMEOUT_MS)) {
            c.requestUpdate(false, 0, 0, 640, 400);
            int[] native32 = single(c.readUpdate()).rgb();
            for (PixelFormat f : List.of(PixelFormat.RGBX_LE, new PixelFormat(32, 24, true, true, 255, 255, 255, 8, 16, 24))) {
                c.setPixelFormat(f);
                c.setEncodings(0, -223);
                c.requestUpdate(false, 0, 0, 640, 400);
                assertThat(single(c.readUpdate()).rgb()).as("frame in %s", f).isEqualTo(native32);
            }
            PixelFormat rgb565 = new PixelFormat(16, 16, true, true, 31, 63, 31, 11, 5, 0);
            c.setPixelFormat(rgb565);
            c.requestUpdate(false, 0, 0, 640, 400);
            int[] quantised = single(c.readUpdate()).rgb();
            for (int i = 0; i < native32.length; i += 997) {
                assertThat(quantised[i] >> 16 & 0xFF).isCloseTo(native32[i] >> 16 & 0xFF, org.assertj.core.data.Offset.offset(5));
                assertThat(quantised[i] & 0xFF).isCloseTo(native32[i] & 0xFF, org.assertj.core.data.Offset.offset(5));
            }
        }
    }

    @Test
    void anIncrementalUpdateWaitsForAChangeAndSendsOnlyTheClock() throws IOException {
        int port = server.open(HOST, VM, ConsoleProtocol.VNC);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(TIMEOUT_MS);
            RfbClient c = RfbClient.handshake(s.getInputStream(), s.getOutputStream(), s, 8);
            c.requestUpdate(false, 0, 0, 640, 400);
            c.readUpdate();
            c.requestUpdate(true, 0, 0, 640, 400);
            s.setSoTimeout(600);
            assertThatThrownBy(c::readUpdate).as("nothing changed, so nothing is sent").isInstanceOf(SocketTimeoutException.class);
            s.setSoTimeout(TIMEOUT_MS);
            clock.advanceSeconds(1);
            RfbClient.Rectangle r = single(c.readUpdate());
            assertThat(r.y()).as("only the taskbar holds the clock").isGreaterThanOrEqualTo(DesktopPainter.TASKBAR_TOP);
            assertThat(r.width()).isPositive().isLessThan(640);
            assertThat(r.x()).isGreaterThan(320);
        }
    }

    @Test
    void keyAndPointerEventsCountAsActivity() throws Exception {
        int port = server.open(HOST, VM, ConsoleProtocol.VNC);
        try (RfbClient c = RfbClient.connect("127.0.0.1", port, 8, TIMEOUT_MS)) {
            assertThat(server.inputEvents(HOST, VM)).isZero();
            c.key(true, 'a');
            c.key(false, 'a');
            c.pointer(1, 100, 100);
            c.requestUpdate(false, 0, 0, 1, 1);
            c.readUpdate(); // the server has read every earlier message by the time it answers this one
            assertThat(server.inputEvents(HOST, VM)).isEqualTo(3);
            assertThat(server.clients(HOST, VM)).isEqualTo(1);
        }
    }

    @Test
    void aColourMapPixelFormatIsRefusedByClosing() throws IOException {
        int port = server.open(HOST, VM, ConsoleProtocol.VNC);
        try (RfbClient c = RfbClient.connect("127.0.0.1", port, 8, TIMEOUT_MS)) {
            c.setPixelFormat(new PixelFormat(8, 8, false, false, 0, 0, 0, 0, 0, 0));
            c.requestUpdate(false, 0, 0, 10, 10);
            assertThatThrownBy(c::readUpdate).isInstanceOfAny(EOFException.class, SocketException.class);
        }
    }

    @Test
    void aClientThatIsNotRfbIsClosed() throws IOException {
        int port = server.open(HOST, VM, ConsoleProtocol.VNC);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(TIMEOUT_MS);
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] version = new byte[12];
            in.readFully(version);
            assertThat(new String(version, StandardCharsets.US_ASCII)).isEqualTo("RFB 003.008\n");
            s.getOutputStream().write("GET / HTTP/1\n".getBytes(StandardCharsets.US_ASCII), 0, 12);
            assertThat(in.read()).as("closed without a word").isEqualTo(-1);
        }
    }

    @Test
    void aSecurityTypeOtherThanNoneIsRefusedWithAReason() throws IOException {
        int port = server.open(HOST, VM, ConsoleProtocol.VNC);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(TIMEOUT_MS);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            in.readFully(new byte[12]);
            out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readUnsignedByte()).isEqualTo(1);
            assertThat(in.readUnsignedByte()).isEqualTo(1);
            out.write(2); // VNC authentication
            assertThat(in.readInt()).as("SecurityResult: failed").isEqualTo(1);
            byte[] reason = new byte[in.readInt()];
            in.readFully(reason);
            assertThat(new String(reason, StandardCharsets.UTF_8)).contains("security type 2", "None");
        }
    }

    @Test
    void closingAConsoleDropsItsClientsAndItsPort() throws IOException {
        int port = server.open(HOST, VM, ConsoleProtocol.VNC);
        assertThat(server.open(HOST, VM, ConsoleProtocol.VNC)).as("same console, same port").isEqualTo(port);
        try (RfbClient c = RfbClient.connect("127.0.0.1", port, 8, TIMEOUT_MS)) {
            server.close(HOST, VM);
            c.requestUpdate(false, 0, 0, 10, 10);
            assertThatThrownBy(c::readUpdate).isInstanceOfAny(EOFException.class, SocketException.class);
        }
        // The port refuses, or (when a connect raced the listener's close) drops the connection at once:
        // either way no console is served any more.
        assertThatThrownBy(() -> RfbClient.connect("127.0.0.1", port, 8, TIMEOUT_MS))
                .isInstanceOfAny(ConnectException.class, EOFException.class, SocketException.class);
        assertThat(server.openConsoles()).isZero();
    }

    @Test
    void aSimDriverWithTheServerAttachedServesConsolesWhileVmsArePoweredOn(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        try (SimDriver driver = new SimDriver(SimConfig.builder().hostName(HOST).storageRoot(dir).build())) {
            driver.attachConsoleServer(server);
            driver.define(new VmSpec(VM, VM, 2, 2048, dir.resolve("base.qcow2"), null, MacAllocator.DESKMESH.preferred(VM),
                    "default", ConsoleProtocol.VNC));
            assertThat(driver.console(VM)).as("powered off: no console").isEmpty();
            driver.start(VM);
            Optional<ConsoleAddress> console = driver.console(VM);
            assertThat(console).isPresent();
            assertThat(console.get().host()).isEqualTo("127.0.0.1");
            try (RfbClient c = RfbClient.connect(console.get().host(), console.get().port(), 8, TIMEOUT_MS)) {
                assertThat(c.name()).isEqualTo("office (alice)");
                driver.shutdown(VM, java.time.Duration.ZERO);
                c.requestUpdate(false, 0, 0, 10, 10);
                assertThatThrownBy(c::readUpdate).as("powering off closes the console")
                        .isInstanceOfAny(EOFException.class, SocketException.class);
            }
            assertThat(server.openConsoles()).isZero();
        }
    }

    @Test
    void versionsAreAgreedAsRfc6143Says() {
        assertThat(RfbVersion.agreedMinor("RFB 003.008\n")).isEqualTo(8);
        assertThat(RfbVersion.agreedMinor("RFB 003.889\n")).isEqualTo(8);
        assertThat(RfbVersion.agreedMinor("RFB 004.001\n")).isEqualTo(8);
        assertThat(RfbVersion.agreedMinor("RFB 003.007\n")).isEqualTo(7);
        assertThat(RfbVersion.agreedMinor("RFB 003.005\n")).isEqualTo(3);
        assertThat(RfbVersion.agreedMinor("RFB 003.003\n")).isEqualTo(3);
        assertThat(RfbVersion.agreedMinor("RFB 002.000\n")).isEqualTo(-1);
        assertThat(RfbVersion.agreedMinor("HTTP/1.1 200")).isEqualTo(-1);
    }

    private static RfbClient.Rectangle single(List<RfbClient.Rectangle> rects) {
        assertThat(rects).hasSize(1);
        return rects.get(0);
    }

    /** A clock tests move by hand; thread-safe. */
    static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant start) {
            now = start;
        }

        void advanceSeconds(long s) {
            now = now.plusSeconds(s);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
