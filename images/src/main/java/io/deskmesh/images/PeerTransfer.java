package io.deskmesh.images;

import io.deskmesh.images.TransferException.Reason;
import io.deskmesh.model.image.ImageRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One fetch of one version from one peer: the attempt loop of {@link ImageFetcher}. Used by one
 * thread, once.
 */
final class PeerTransfer {
    private static final Logger log = LoggerFactory.getLogger(PeerTransfer.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");
    private static final int BUFFER = 256 * 1024;

    private final HttpClient http;
    private final FetchConfig config;
    private final ScheduledExecutorService watchdog;
    private final URI peer;
    private final URI uri;
    private final ImageRef ref;
    private final StagedTransfer staged;
    private final TransferProgress progress;
    private final Cancellation cancellation;
    /** Body bytes received from the peer over all attempts. */
    private long received;

    /** An attempt failed in a way that another attempt may fix. */
    private static final class RetryableFailure extends Exception {
        final Reason reason;

        RetryableFailure(Reason reason, String message, Throwable cause) {
            super(message, cause);
            this.reason = reason;
        }
    }

    PeerTransfer(HttpClient http, FetchConfig config, ScheduledExecutorService watchdog, URI peer,
                 StagedTransfer staged, TransferProgress progress, Cancellation cancellation) {
        this.http = http;
        this.config = config;
        this.watchdog = watchdog;
        this.peer = peer;
        this.ref = staged.ref();
        this.uri = ImageProtocol.uri(peer, ref);
        this.staged = staged;
        this.progress = progress;
        this.cancellation = cancellation;
    }

    /** Body bytes received from the peer so far, over all attempts. */
    long received() {
        return received;
    }

    ImageManifest run() {
        RetryableFailure last = null;
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            if (stopped()) {
                throw cancelled(null);
            }
            try {
                if (present() < staged.expectedSize()) {
                    download();
                }
                return completeAndVerify();
            } catch (RetryableFailure f) {
                if (stopped()) {
                    throw cancelled(f);
                }
                last = f;
                log.info("fetch of {} from {}: attempt {}/{} failed ({}); {} bytes kept", ref, peer, attempt,
                        config.maxAttempts(), f.getMessage(), present());
                if (attempt < config.maxAttempts() && !cancellation.sleep(jittered(config.backoff(attempt)))) {
                    throw cancelled(f);
                }
            } finally {
                cancellation.clearOnCancel();
            }
        }
        throw fail(last.reason, last.getMessage() + " (gave up after " + config.maxAttempts() + " attempts)",
                last.getCause());
    }

    private ImageManifest completeAndVerify() {
        try {
            ImageManifest m = staged.complete();
            progress.onProgress(m.sizeBytes(), m.sizeBytes());
            log.info("fetched {} from {} ({} bytes, sha256 verified)", ref, peer, m.sizeBytes());
            return m;
        } catch (ImageIntegrityException e) {
            throw new TransferException(Reason.INTEGRITY, peer, ref, "could not fetch " + ref + " from " + peer
                    + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw fail(Reason.IO, "the local image store failed: " + e.getMessage(), e);
        }
    }

    /** One request for the missing bytes; returns once all have arrived. */
    private void download() throws RetryableFailure {
        long from = present();
        HttpResponse<InputStream> response = send(from);
        try (InputStream body = response.body()) {
            from = checkResponse(response, from);
            copy(body, from);
        } catch (IOException e) {
            throw new RetryableFailure(Reason.IO, "closing the response failed: " + e.getMessage(), e);
        }
    }

    private HttpResponse<InputStream> send(long from) throws RetryableFailure {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(config.responseTimeout()).GET();
        if (from > 0) {
            b.header("Range", "bytes=" + from + "-");
        }
        if (config.bearerToken() != null) {
            b.header("Authorization", "Bearer " + config.bearerToken());
        }
        progress.onProgress(from, staged.expectedSize());
        CompletableFuture<HttpResponse<InputStream>> call =
                http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        cancellation.onCancel(() -> call.cancel(true));
        try {
            return call.get();
        } catch (CancellationException e) {
            throw cancelled(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel(true);
            throw cancelled(e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ConnectException || c instanceof HttpTimeoutException
                    || c instanceof NoRouteToHostException || c instanceof UnresolvedAddressException
                    || c.getCause() instanceof UnresolvedAddressException) {
                throw new RetryableFailure(Reason.PEER_UNREACHABLE, "peer unreachable (" + describe(c) + ")", c);
            }
            throw new RetryableFailure(Reason.IO, "request failed (" + describe(c) + ")", c);
        }
    }

    /** Checks status and headers; returns the offset the body starts at. */
    private long checkResponse(HttpResponse<InputStream> r, long from) throws RetryableFailure {
        switch (r.statusCode()) {
            case 200 -> {
                if (from > 0) {
                    log.info("{} ignored the range request for {}; starting over", peer, ref);
                    resetStaged();
                }
                checkIdentity(r);
                return 0;
            }
            case 206 -> {
                checkIdentity(r);
                String cr = r.headers().firstValue("Content-Range").orElse("");
                Matcher m = CONTENT_RANGE.matcher(cr);
                if (!m.matches() || Long.parseLong(m.group(1)) != from
                        || Long.parseLong(m.group(3)) != staged.expectedSize()) {
                    resetStaged();
                    throw new RetryableFailure(Reason.IO, "peer answered 'bytes=" + from + "-' with Content-Range '"
                            + cr + "'; starting over", null);
                }
                return from;
            }
            case 404 -> throw fail(Reason.NOT_FOUND_ON_PEER, "the peer does not hold it (HTTP 404: "
                    + errorBody(r) + ")", null);
            case 401, 403 -> throw fail(Reason.REFUSED_BY_PEER, "the peer refused the request (HTTP "
                    + r.statusCode() + ": " + errorBody(r) + ")", null);
            case 416 -> {
                resetStaged();
                throw new RetryableFailure(Reason.IO, "peer refused the range 'bytes=" + from + "-' (HTTP 416: "
                        + errorBody(r) + "); starting over", null);
            }
            default -> throw new RetryableFailure(Reason.IO, "peer answered HTTP " + r.statusCode() + ": "
                    + errorBody(r), null);
        }
    }

    /** Refuses, before any byte is copied, a peer that says it holds different content for the ref. */
    private void checkIdentity(HttpResponse<InputStream> r) {
        Optional<String> sha = r.headers().firstValue(ImageProtocol.SHA256_HEADER);
        Optional<String> size = r.headers().firstValue(ImageProtocol.SIZE_HEADER);
        boolean shaDiffers = sha.isPresent() && !sha.get().equalsIgnoreCase(staged.expectedSha256());
        boolean sizeDiffers = size.isPresent() && !size.get().equals(Long.toString(staged.expectedSize()));
        if (shaDiffers || sizeDiffers) {
            throw new TransferException(Reason.INTEGRITY, peer, ref, "could not fetch " + ref + " from " + peer
                    + ": the peer holds different content (sha256 " + sha.orElse("?") + ", " + size.orElse("?")
                    + " bytes) from what the grid registered (sha256 " + staged.expectedSha256() + ", "
                    + staged.expectedSize() + " bytes); nothing was copied, fetch it from another replica", null);
        }
    }

    /** Streams the body into the staged file, watching for stalls and cancellation. */
    private void copy(InputStream body, long from) throws RetryableFailure {
        long total = staged.expectedSize();
        AtomicLong lastProgress = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        long idle = config.idleTimeout().toNanos();
        long tick = Math.clamp(config.idleTimeout().toMillis() / 4, 10, 1000);
        ScheduledFuture<?> watch = watchdog.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastProgress.get() > idle && stalled.compareAndSet(false, true)) {
                closeQuietly(body);
            }
        }, tick, tick, TimeUnit.MILLISECONDS);
        cancellation.onCancel(() -> closeQuietly(body));
        long have = from;
        try (OutputStream out = appendStream()) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = read(body, buf, stalled, have)) > 0) {
                write(out, buf, n);
                have += n;
                received += n;
                lastProgress.set(System.nanoTime());
                progress.onProgress(have, total);
            }
        } catch (IOException e) {
            throw fail(Reason.IO, "the local image store could not finish writing: " + e.getMessage(), e);
        } catch (ImageIntegrityException e) {
            throw new TransferException(Reason.INTEGRITY, peer, ref, "could not fetch " + ref + " from " + peer
                    + ": " + e.getMessage(), e);
        } finally {
            watch.cancel(false);
        }
        if (have < total) {
            throw new RetryableFailure(Reason.IO, "connection closed after " + have + " of " + total + " bytes", null);
        }
    }

    private int read(InputStream body, byte[] buf, AtomicBoolean stalled, long have) throws RetryableFailure {
        try {
            // Not readNBytes: whatever arrived is stored at once, so a break loses little, and
            // the idle watchdog sees every piece a slow link delivers.
            return body.read(buf);
        } catch (IOException e) {
            if (stopped()) {
                throw cancelled(e);
            }
            if (stalled.get()) {
                throw new RetryableFailure(Reason.IO, "no data for " + config.idleTimeout().toMillis() + " ms after "
                        + have + " bytes", e);
            }
            throw new RetryableFailure(Reason.IO, "connection broke after " + have + " bytes (" + describe(e) + ")", e);
        }
    }

    private void write(OutputStream out, byte[] buf, int n) {
        try {
            out.write(buf, 0, n);
        } catch (IOException e) {
            throw fail(Reason.IO, "the local image store could not write: " + e.getMessage()
                    + " (check free space and permissions)", e);
        }
    }

    private OutputStream appendStream() {
        try {
            return staged.append();
        } catch (UncheckedIOException e) {
            throw fail(Reason.IO, "the local image store failed: " + e.getMessage(), e);
        }
    }

    private void resetStaged() {
        try {
            staged.reset();
        } catch (UncheckedIOException e) {
            throw fail(Reason.IO, "the local image store failed: " + e.getMessage(), e);
        }
    }

    private long present() {
        try {
            return staged.bytesPresent();
        } catch (UncheckedIOException e) {
            throw fail(Reason.IO, "the local image store failed: " + e.getMessage(), e);
        }
    }

    private boolean stopped() {
        return cancellation.isCancelled() || Thread.currentThread().isInterrupted();
    }

    private TransferException cancelled(Throwable cause) {
        return fail(Reason.CANCELLED, "cancelled", cause);
    }

    private TransferException fail(Reason reason, String what, Throwable cause) {
        return new TransferException(reason, peer, ref, "could not fetch " + ref + " from " + peer + ": " + what
                + "; " + advice(reason), cause);
    }

    private String advice(Reason reason) {
        return switch (reason) {
            case PEER_UNREACHABLE -> "check that the node at " + peer + " is running and reachable from here,"
                    + " or fetch from another replica";
            case NOT_FOUND_ON_PEER -> "fetch it from a server that has it landed";
            case REFUSED_BY_PEER -> "check that this node and the peer use the same grid token";
            case INTEGRITY -> "the partial copy was deleted; fetch it again, preferably from another replica";
            case CANCELLED, IO -> "the " + safePresent() + " bytes received so far are kept and the next fetch"
                    + " resumes from them";
        };
    }

    private long safePresent() {
        try {
            return staged.bytesPresent();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static Duration jittered(Duration d) {
        // ±20 % so that nodes retrying one recovering peer do not arrive together.
        return Duration.ofMillis((long) (d.toMillis() * ThreadLocalRandom.current().nextDouble(0.8, 1.2)));
    }

    private static String errorBody(HttpResponse<InputStream> r) {
        try (InputStream in = r.body()) {
            String s = new String(in.readNBytes(300), StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "no message" : s;
        } catch (IOException e) {
            return "no message";
        }
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing is how a stalled or cancelled read is interrupted
        }
    }
}
