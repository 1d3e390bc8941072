package io.deskmesh.images;

import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One HTTP/1.1 {@code GET} on a connection of its own, whose body is read straight from the
 * socket. Used by one thread, except {@link #close()}, which any thread may call to abort it.
 *
 * <p>Why not {@code java.net.http.HttpClient}: it hands a body to its reader in 16 KiB buffers,
 * one at a time, through its selector thread. For a base image that is 65,536 hand-offs per GiB
 * and measured here 1-3 s of CPU per GiB, more than SHA-256 and the disk together. A blocking
 * socket read of a large array costs one system call per ~100 KiB. The protocol is the small part
 * of HTTP/1.1 that {@link ImageProtocol} needs: one request, {@code Connection: close}, a body
 * framed by {@code Content-Length}, chunks or the end of the connection; {@code https} URIs use
 * the JDK's default TLS settings with host name verification.
 */
final class HttpGet implements Closeable {
    private static final int MAX_HEAD = 64 * 1024;

    private final URI uri;
    private final Map<String, String> requestHeaders = new LinkedHashMap<>();
    private volatile Socket socket;
    private volatile boolean closed;
    private int status;
    private final Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    private InputStream body;

    HttpGet(URI uri) {
        this.uri = uri;
    }

    /** Adds a request header; values with line breaks are refused. */
    HttpGet header(String name, String value) {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header " + name + " has a line break in its value");
        }
        requestHeaders.put(name, value);
        return this;
    }

    /**
     * Connects, sends the request and reads the status and headers.
     *
     * @param responseTimeout longest wait from sending the request to the end of the response head
     * @param idleTimeout     longest wait for any byte of the body afterwards (a read then throws
     *                        {@link java.net.SocketTimeoutException})
     */
    void send(Duration connectTimeout, Duration responseTimeout, Duration idleTimeout) throws IOException {
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        Socket s = new Socket();
        socket = s;
        if (closed) {
            s.close();
        }
        s.connect(new InetSocketAddress(uri.getHost(), port), millis(connectTimeout));
        s.setTcpNoDelay(true);
        if (tls) {
            SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                    .createSocket(s, uri.getHost(), port, true);
            SSLParameters p = ssl.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(p);
            socket = ssl;
            if (closed) {
                ssl.close();
            }
            s = ssl;
        }
        s.setSoTimeout(millis(responseTimeout));
        OutputStream out = s.getOutputStream();
        out.write(requestHead(port, tls).getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        BufferedInputStream in = new BufferedInputStream(s.getInputStream(), MAX_HEAD);
        InputStream head = new Deadline(in, s, System.nanoTime() + responseTimeout.toNanos(), responseTimeout);
        do {
            readHead(head);
        } while (status >= 100 && status < 200);
        s.setSoTimeout(millis(idleTimeout));
        body = framedBody(in);
    }

    int status() {
        return status;
    }

    Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    /** The body, ending where the response says it ends; a connection that closes early ends it early. */
    InputStream body() {
        return body;
    }

    /** Up to 300 bytes of the body as text, for error messages. */
    String errorText() {
        try {
            String s = new String(body.readNBytes(300), StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "no message" : s;
        } catch (IOException e) {
            return "no message";
        }
    }

    /** Aborts the exchange: a blocked read or connect fails at once. Any thread; idempotent. */
    @Override
    public void close() {
        closed = true;
        Socket s = socket;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing is how the exchange is aborted
            }
        }
    }

    private String requestHead(int port, boolean tls) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        boolean defaultPort = port == (tls ? 443 : 80);
        StringBuilder b = new StringBuilder("GET ").append(path).append(query).append(" HTTP/1.1\r\n")
                .append("Host: ").append(uri.getHost()).append(defaultPort ? "" : ":" + port).append("\r\n")
                .append("Accept-Encoding: identity\r\nConnection: close\r\n");
        requestHeaders.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
        return b.append("\r\n").toString();
    }

    private void readHead(InputStream in) throws IOException {
        headers.clear();
        int[] budget = {MAX_HEAD};
        String statusLine = line(in, budget);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("\\d{3}")) {
            throw new IOException("not an HTTP/1.1 response: '" + statusLine + "'");
        }
        status = Integer.parseInt(parts[1]);
        for (String l = line(in, budget); !l.isEmpty(); l = line(in, budget)) {
            int colon = l.indexOf(':');
            if (colon <= 0) {
                throw new IOException("malformed response header '" + l + "'");
            }
            headers.putIfAbsent(l.substring(0, colon).strip(), l.substring(colon + 1).strip());
        }
    }

    private static String line(InputStream in, int[] budget) throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("the connection closed in the response head");
            }
            if (--budget[0] < 0) {
                throw new IOException("response head longer than " + MAX_HEAD + " bytes");
            }
            if (c == '\n') {
                int n = b.length();
                return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
            }
            b.append((char) c);
        }
    }

    private InputStream framedBody(InputStream in) throws IOException {
        String te = headers.getOrDefault("Transfer-Encoding", "").toLowerCase(Locale.ROOT);
        if (te.contains("chunked")) {
            return new ChunkedBody(in);
        }
        String cl = headers.get("Content-Length");
        if (cl != null) {
            try {
                return new BoundedInputStream(in, Long.parseLong(cl.strip()));
            } catch (NumberFormatException e) {
                throw new IOException("malformed Content-Length '" + cl + "'");
            }
        }
        return in; // Connection: close, so the body ends with the connection
    }

    private static int millis(Duration d) {
        return (int) Math.clamp(d.toMillis(), 1, Integer.MAX_VALUE);
    }

    /**
     * The response head as it arrives, ending in a {@link SocketTimeoutException} at the deadline
     * even when a peer sends a byte now and then.
     */
    private static final class Deadline extends InputStream {
        private final InputStream in;
        private final Socket socket;
        private final long deadline;
        private final Duration timeout;

        Deadline(InputStream in, Socket socket, long deadline, Duration timeout) {
            this.in = in;
            this.socket = socket;
            this.deadline = deadline;
            this.timeout = timeout;
        }

        @Override
        public int read() throws IOException {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                socket.setSoTimeout((int) Math.clamp(left / 1_000_000, 1, Integer.MAX_VALUE));
                try {
                    return in.read();
                } catch (SocketTimeoutException e) {
                    // the deadline passed while waiting: said below
                }
            }
            throw new SocketTimeoutException("no complete response head within " + timeout.toMillis() + " ms");
        }
    }

    /** A {@code Transfer-Encoding: chunked} body. */
    private static final class ChunkedBody extends InputStream {
        private final InputStream in;
        private long chunkLeft;
        private boolean done;

        ChunkedBody(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) == 1 ? one[0] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (chunkLeft == 0) {
                int[] budget = {MAX_HEAD};
                String sizeLine = line(in, budget);
                int semi = sizeLine.indexOf(';');
                try {
                    chunkLeft = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("malformed chunk size '" + sizeLine + "'");
                }
                if (chunkLeft == 0) {
                    done = true; // trailers, if any, are not needed
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, chunkLeft));
            if (n < 0) {
                throw new SocketException("the connection closed inside a chunk");
            }
            chunkLeft -= n;
            if (chunkLeft == 0) {
                int[] budget = {2};
                if (!line(in, budget).isEmpty()) {
                    throw new IOException("a chunk does not end with CRLF");
                }
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
