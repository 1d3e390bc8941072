package io.deskmesh.images;

import org.junit.jupiter.api.AfterEach;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fetcher's HTTP/1.1 GET against a peer that answers with bytes written by hand. */
class HttpGetTest {
    private static final Duration SECOND = Duration.ofSeconds(1);
    private ServerSocket server;
    private final CompletableFuture<String> request = new CompletableFuture<>();

    @AfterEach
    void tearDown() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** Starts a peer that reads one request head and answers {@code response}, then maybe stays silent. */
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

    private static String body(HttpGet get) throws IOException {
        return new String(get.body().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void sendsTheHeadersAndReadsABodyOfDeclaredLengthWithoutReadingBeyondIt() throws Exception {
        URI uri = peer("HTTP/1.1 206 Partial Content\r\nContent-Length: 5\r\nX-DeskMesh-Size: 9\r\n\r\nhelloEXTRA", true);
        try (HttpGet get = new HttpGet(uri).header("Range", "bytes=4-").header("Authorization", "Bearer t")) {
            get.send(SECOND, SECOND, SECOND);
            assertThat(get.status()).isEqualTo(206);
            assertThat(get.header("x-deskmesh-size")).contains("9");
            assertThat(body(get)).isEqualTo("hello");
        }
        assertThat(request.get(5, TimeUnit.SECONDS)).startsWith("GET /internal/v1/images/a/1/diff?base=2 HTTP/1.1\r\n")
                .contains("\r\nRange: bytes=4-\r\n", "\r\nAuthorization: Bearer t\r\n", "\r\nConnection: close\r\n");
    }

    @Test
    void readsAChunkedBodyAndSkipsAnInterimResponse() throws Exception {
        URI uri = peer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\n\r\n", true);
        try (HttpGet get = new HttpGet(uri)) {
            get.send(SECOND, SECOND, SECOND);
            assertThat(get.status()).isEqualTo(200);
            assertThat(body(get)).isEqualTo("hello, world");
        }
    }

    @Test
    void aBodyWithoutLengthEndsWithTheConnectionAndAShortOneEndsEarly() throws Exception {
        URI uri = peer("HTTP/1.1 200 OK\r\n\r\nuntil the end", false);
        try (HttpGet get = new HttpGet(uri)) {
            get.send(SECOND, SECOND, SECOND);
            assertThat(body(get)).isEqualTo("until the end");
        }
        server.close();
        URI cut = peer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this", false);
        try (HttpGet get = new HttpGet(cut)) {
            get.send(SECOND, SECOND, SECOND);
            assertThat(body(get)).isEqualTo("only this");
        }
    }

    @Test
    void aSilentBodyTimesOutAndAMalformedResponseIsRefused() throws Exception {
        URI uri = peer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nsome", true);
        try (HttpGet get = new HttpGet(uri)) {
            get.send(SECOND, SECOND, Duration.ofMillis(200));
            byte[] buf = new byte[100];
            assertThat(get.body().read(buf)).isEqualTo(4);
            assertThatThrownBy(() -> get.body().read(buf)).isInstanceOf(SocketTimeoutException.class);
        }
        server.close();
        URI bad = peer("SSH-2.0-OpenSSH\r\n\r\n", false);
        try (HttpGet get = new HttpGet(bad)) {
            assertThatThrownBy(() -> get.send(SECOND, SECOND, SECOND)).isInstanceOf(IOException.class)
                    .hasMessageContaining("not an HTTP/1.1 response: 'SSH-2.0-OpenSSH'");
        }
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
        try (HttpGet get = new HttpGet(uri)) {
            assertThatThrownBy(() -> get.send(SECOND, Duration.ofMillis(300), SECOND))
                    .isInstanceOf(SocketTimeoutException.class)
                    .hasMessageContaining("no complete response head within 300 ms");
        }
    }

    @Test
    void aHeaderValueWithALineBreakIsRefused() {
        assertThatThrownBy(() -> new HttpGet(URI.create("http://127.0.0.1:1/")).header("Authorization", "a\r\nX: y"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Authorization");
    }
}
