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
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One fetch of one version from one peer: the attempt loop of {@link ImageFetcher}. Used by one
 * thread, once.
 */
final class PeerTransfer {
    private static final Logger log = LoggerFactory.getLogger(PeerTransfer.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");
    private static final int BUFFER = HashingWriter.CHUNK;

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

    PeerTransfer(FetchConfig config, ScheduledExecutorService watchdog, URI peer,
                 StagedTransfer staged, TransferProgress progress, Cancellation cancellation) {
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
        HttpGet get = new HttpGet(uri);
        cancellation.onCancel(get::close);
        try (get) {
            send(get, from);
            from = checkResponse(get, from);
            copy(get, from);
        }
    }

    private void send(HttpGet get, long from) throws RetryableFailure {
        if (from > 0) {
            get.header("Range", "bytes=" + from + "-");
        }
        if (config.bearerToken() != null) {
            get.header("Authorization", "Bearer " + config.bearerToken());
        }
        progress.onProgress(from, staged.expectedSize());
        // A blocked connect or read does not notice an interrupt; the watchdog closes the socket.
        Thread fetching = Thread.currentThread();
        ScheduledFuture<?> watch = watchdog.scheduleAtFixedRate(() -> {
            if (fetching.isInterrupted()) {
                get.close();
            }
        }, 50, 50, TimeUnit.MILLISECONDS);
        try {
            get.send(config.connectTimeout(), config.responseTimeout(), config.idleTimeout());
        } catch (IOException e) {
            if (stopped()) {
                throw cancelled(e);
            }
            if (e instanceof ConnectException || e instanceof NoRouteToHostException
                    || e instanceof UnknownHostException || e instanceof SocketTimeoutException) {
                throw new RetryableFailure(Reason.PEER_UNREACHABLE, "peer unreachable (" + describe(e) + ")", e);
            }
            throw new RetryableFailure(Reason.IO, "request failed (" + describe(e) + ")", e);
        } finally {
            watch.cancel(false);
        }
    }

    /** Checks status and headers; returns the offset the body starts at. */
    private long checkResponse(HttpGet r, long from) throws RetryableFailure {
        switch (r.status()) {
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
                String cr = r.header("Content-Range").orElse("");
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
                    + r.errorText() + ")", null);
            case 401, 403 -> throw fail(Reason.REFUSED_BY_PEER, "the peer refused the request (HTTP "
                    + r.status() + ": " + r.errorText() + ")", null);
            case 416 -> {
                resetStaged();
                throw new RetryableFailure(Reason.IO, "peer refused the range 'bytes=" + from + "-' (HTTP 416: "
                        + r.errorText() + "); starting over", null);
            }
            default -> throw new RetryableFailure(Reason.IO, "peer answered HTTP " + r.status() + ": "
                    + r.errorText(), null);
        }
    }

    /** Refuses, before any byte is copied, a peer that says it holds different content for the ref. */
    private void checkIdentity(HttpGet r) {
        Optional<String> sha = r.header(ImageProtocol.SHA256_HEADER);
        Optional<String> size = r.header(ImageProtocol.SIZE_HEADER);
        boolean shaDiffers = sha.isPresent() && !sha.get().equalsIgnoreCase(staged.expectedSha256());
        boolean sizeDiffers = size.isPresent() && !size.get().equals(Long.toString(staged.expectedSize()));
        if (shaDiffers || sizeDiffers) {
            throw new TransferException(Reason.INTEGRITY, peer, ref, "could not fetch " + ref + " from " + peer
                    + ": the peer holds different content (sha256 " + sha.orElse("?") + ", " + size.orElse("?")
                    + " bytes) from what the grid registered (sha256 " + staged.expectedSha256() + ", "
                    + staged.expectedSize() + " bytes); nothing was copied, fetch it from another replica", null);
        }
    }

    /**
     * Streams the body into the staged file. A stall shows as a read timeout (the socket's timeout
     * is the idle timeout); cancellation and interruption close the socket.
     */
    private void copy(HttpGet get, long from) throws RetryableFailure {
        long total = staged.expectedSize();
        InputStream body = get.body();
        Thread fetching = Thread.currentThread();
        ScheduledFuture<?> watch = watchdog.scheduleAtFixedRate(() -> {
            if (fetching.isInterrupted()) {
                get.close();
            }
        }, 50, 50, TimeUnit.MILLISECONDS);
        long have = from;
        try (OutputStream out = appendStream()) {
            byte[] buf = new byte[BUFFER];
            int n;
            while ((n = read(body, buf, have, out)) > 0) {
                write(out, buf, n);
                have += n;
                received += n;
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

    private int read(InputStream body, byte[] buf, long have, OutputStream out) throws RetryableFailure {
        try {
            // Not readNBytes: whatever arrived is stored at once, so a break loses little.
            return body.read(buf);
        } catch (IOException e) {
            // What arrived is in the file before the failure (and the bytes it reports) is described.
            flushQuietly(out);
            if (stopped()) {
                throw cancelled(e);
            }
            if (e instanceof SocketTimeoutException) {
                throw new RetryableFailure(Reason.IO, "no data for " + config.idleTimeout().toMillis() + " ms after "
                        + have + " bytes", e);
            }
            throw new RetryableFailure(Reason.IO, "connection broke after " + have + " bytes (" + describe(e) + ")", e);
        }
    }

    private static void flushQuietly(OutputStream out) {
        // A file channel closes itself when used by an interrupted thread, which would throw away
        // the bytes gathered so far; the interrupt is noticed again right after.
        boolean interrupted = Thread.interrupted();
        try {
            out.flush();
        } catch (IOException ignored) {
            // the close that follows reports a failing store
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
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

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }
}
