package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One try at fetching a version as a {@link BlockDiff} against a version this node already holds:
 * the difference is applied to the local base while it streams in, straight into the staged file,
 * and the result must pass the same size and SHA-256 check as a whole transfer. Any failure leaves
 * nothing behind and returns empty, so the caller falls back to the whole version. Used once, by one
 * thread.
 */
final class DiffTransfer {
    private static final Logger log = LoggerFactory.getLogger(DiffTransfer.class);

    private final HttpClient http;
    private final FetchConfig config;
    private final ScheduledExecutorService watchdog;
    private final URI peer;
    private final ImageVersionImage expected;
    private final ImageManifest base;
    private final ImageStore store;
    private final Cancellation cancellation;
    private long received;

    DiffTransfer(HttpClient http, FetchConfig config, ScheduledExecutorService watchdog, URI peer,
                 ImageVersionImage expected, ImageManifest base, ImageStore store, Cancellation cancellation) {
        this.http = http;
        this.config = config;
        this.watchdog = watchdog;
        this.peer = peer;
        this.expected = expected;
        this.base = base;
        this.store = store;
        this.cancellation = cancellation;
    }

    /** Bytes of the difference received. */
    long received() {
        return received;
    }

    /** The landed version, or empty when the whole version should be fetched instead (the reason is logged). */
    Optional<ImageManifest> run() {
        ImageRef ref = expected.ref();
        StagedTransfer staged;
        try {
            staged = store.stage(ref, expected.sizeBytes(), expected.sha256(), expected.parentVersion());
        } catch (RuntimeException e) {
            return fallBack("cannot stage it: " + e.getMessage());
        }
        try (staged) {
            if (staged.bytesPresent() > 0) {
                return fallBack("a whole transfer of it is under way; resuming that");
            }
            try {
                return Optional.of(apply(staged));
            } catch (ImageIntegrityException e) {
                return fallBack("the rebuilt version failed verification (" + e.getMessage() + ")");
            } catch (ImageCustomizationException e) {
                // The bytes were right: fetching them whole would be refused the same way.
                throw PeerTransfer.refusedHere(peer, ref, e);
            } catch (IOException | RuntimeException e) {
                staged.abort();
                if (cancellation.isCancelled() || Thread.currentThread().isInterrupted()) {
                    throw new TransferException(TransferException.Reason.CANCELLED, peer, ref, "could not fetch " + ref
                            + " from " + peer + ": cancelled", e);
                }
                return fallBack(e.getMessage());
            }
        }
    }

    private ImageManifest apply(StagedTransfer staged) throws IOException {
        ImageRef ref = expected.ref();
        HttpRequest.Builder b = HttpRequest.newBuilder(ImageProtocol.diffUri(peer, ref, base.version(), base.sha256()))
                .timeout(config.responseTimeout()).GET();
        if (config.bearerToken() != null) {
            b.header("Authorization", "Bearer " + config.bearerToken());
        }
        HttpResponse<InputStream> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        AtomicLong lastRead = new AtomicLong(System.nanoTime());
        try (InputStream raw = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException("the peer answered HTTP " + r.statusCode() + ": "
                        + new String(raw.readNBytes(300), java.nio.charset.StandardCharsets.UTF_8).strip());
            }
            InputStream body = new Counting(raw, lastRead);
            String sha = r.headers().firstValue(ImageProtocol.SHA256_HEADER).orElse("");
            String size = r.headers().firstValue(ImageProtocol.SIZE_HEADER).orElse("");
            if (!sha.equalsIgnoreCase(expected.sha256()) || !size.equals(Long.toString(expected.sizeBytes()))) {
                throw new IOException("the peer's " + ref + " is not the registered one (sha256 " + sha + ", " + size
                        + " bytes)");
            }
            long idle = config.idleTimeout().toNanos();
            long tick = Math.clamp(config.idleTimeout().toMillis() / 4, 10, 1000);
            ScheduledFuture<?> watch = watchdog.scheduleAtFixedRate(() -> {
                if (System.nanoTime() - lastRead.get() > idle) {
                    closeQuietly(body);
                }
            }, tick, tick, TimeUnit.MILLISECONDS);
            cancellation.onCancel(() -> closeQuietly(body));
            // Unbuffered on purpose: apply() moves 1 MiB at a time and the append stream gathers
            // 1 MiB chunks itself, so buffers here would only copy every byte once more.
            try (InputStream baseIn = Files.newInputStream(store.diskPath(base.ref()), FileOps.NOFOLLOW);
                 OutputStream out = staged.append()) {
                BlockDiff.apply(baseIn, base.sizeBytes(), body, out);
            } finally {
                watch.cancel(false);
                cancellation.clearOnCancel();
            }
        }
        ImageManifest m = staged.complete();
        log.info("fetched {} from {} as a difference against version {}: {} of {} bytes received, sha256 verified",
                ref, peer, base.version(), received, m.sizeBytes());
        return m;
    }

    private Optional<ImageManifest> fallBack(String why) {
        log.info("not fetching {} from {} as a difference against version {} ({}); fetching the whole version",
                expected.ref(), peer, base.version(), why);
        return Optional.empty();
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing is how a stalled or cancelled read is interrupted
        }
    }

    /** Counts the bytes read and notes when the last ones came. */
    private final class Counting extends FilterInputStream {
        private final AtomicLong lastRead;

        Counting(InputStream in, AtomicLong lastRead) {
            super(in);
            this.lastRead = lastRead;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                received++;
                lastRead.set(System.nanoTime());
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                received += n;
                lastRead.set(System.nanoTime());
            }
            return n;
        }
    }
}
