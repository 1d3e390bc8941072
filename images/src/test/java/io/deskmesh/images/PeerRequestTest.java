package io.deskmesh.images;

import org.eclipse.jetty.client.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fetcher's view of one Jetty exchange, against a peer that answers with bytes written by hand. */
class PeerRequestTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    private HttpClient http;
    private ServerSocket server;
    private final CompletableFuture<String> request = new CompletableFuture<>();

    @BeforeEach
    void setUp() {
        http = PeerRequest.startClient(SECOND);
    }

    @AfterEach
    void tearDown() throws Exception {
        http.stop();
        if (server != null) {
            server.close();
        }
    }

    /** Starts a peer that reads one request head, answers {@code response} and stays open for 5 s or closes. */
    private URI peer(String response, boolean stayOpen) throws IOException {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            try (Socket s = server.accept()) {
                request.complete(readHead(s.getInputStream()));
                OutputStream out = s.getOutputStream();
                out.write(response.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (stayOpen) {
                    Thread.sleep(5_000);
                }
            } catch (IOException | InterruptedException e) {
                request.completeExceptionally(e);
            }
        });
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/internal/v1/images/a/1/diff?base=2");
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (!b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads the body to its end (or failure), keeping what arrived in {@code into}. */
    private static void readAll(PeerRequest r, Duration idle, ByteArrayOutputStream into) throws IOException {
        while (r.next(idle, into::write) >= 0) {
            // gathering
        }
    }

    @Test
    void sendsTheHeadersAndReadsABodyOfDeclaredLength() throws Exception {
        URI uri = peer("HTTP/1.1 206 Partial Content\r\nContent-Length: 5\r\nX-DeskMesh-Size: 9\r\n\r\nhelloEXTRA", true);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (PeerRequest r = new PeerRequest(http, uri).header("Range", "bytes=4-").header("Authorization", "Bearer t")) {
            r.send(SECOND, SECOND);
            assertThat(r.status()).isEqualTo(206);
            assertThat(r.header("x-deskmesh-size")).contains("9");
            readAll(r, SECOND, body);
        }
        assertThat(body.toString(StandardCharsets.ISO_8859_1)).isEqualTo("hello");
        assertThat(request.get(5, TimeUnit.SECONDS)).startsWith("GET /internal/v1/images/a/1/diff?base=2 HTTP/1.1\r\n")
                .containsIgnoringCase("\r\nRange: bytes=4-\r\n").containsIgnoringCase("\r\nAuthorization: Bearer t\r\n")
                .containsIgnoringCase("\r\nAccept-Encoding: identity\r\n");
    }

    @Test
    void aBodyCutBeforeItsDeclaredLengthFailsAfterHandingOverWhatArrived() throws Exception {
        URI uri = peer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", false);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (PeerRequest r = new PeerRequest(http, uri)) {
            r.send(SECOND, SECOND);
            assertThatThrownBy(() -> readAll(r, SECOND, body)).isInstanceOf(IOException.class)
                    .isNotInstanceOf(SocketTimeoutException.class);
        }
        assertThat(body.toString(StandardCharsets.ISO_8859_1)).isEqualTo("only this");
    }

    @Test
    void aSilentBodyTimesOutAfterTheIdleTimeout() throws Exception {
        URI uri = peer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome", true);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (PeerRequest r = new PeerRequest(http, uri)) {
            r.send(SECOND, Duration.ofSeconds(10));
            assertThatThrownBy(() -> readAll(r, Duration.ofMillis(200), body))
                    .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("no data for 200 ms");
        }
        assertThat(body.toString(StandardCharsets.ISO_8859_1)).isEqualTo("some");
    }

    @Test
    void aHeadThatTricklesInPastTheResponseTimeoutTimesOut() throws Exception {
        server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().start(() -> {
            try (Socket s = server.accept()) {
                readHead(s.getInputStream());
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.ISO_8859_1));
                for (int i = 0; i < 100; i++) { // a byte every 50 ms, never the blank line
                    out.write('X');
                    out.flush();
                    Thread.sleep(50);
                }
            } catch (IOException | InterruptedException e) {
                // the client gave up, as it should
            }
        });
        URI uri = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/");
        try (PeerRequest r = new PeerRequest(http, uri)) {
            assertThatThrownBy(() -> r.send(Duration.ofMillis(300), Duration.ofSeconds(10)))
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessageContaining("no complete response head within 300 ms");
        }
    }

    @Test
    void anAbortFromAnotherThreadEndsABlockedRead() throws Exception {
        URI uri = peer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome", true);
        try (PeerRequest r = new PeerRequest(http, uri)) {
            r.send(SECOND, Duration.ofSeconds(10));
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
                r.abort(new CancellationException("cancelled"));
            });
            // Not the 10 s idle timeout's SocketTimeoutException: the abort ended the wait.
            assertThatThrownBy(() -> readAll(r, Duration.ofSeconds(10), new ByteArrayOutputStream()))
                    .isInstanceOf(IOException.class).isNotInstanceOf(SocketTimeoutException.class);
        }
    }
}
