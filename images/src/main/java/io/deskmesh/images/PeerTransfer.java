package io.deskmesh.images;

import io.deskmesh.images.TransferException.Reason;
import io.deskmesh.model.image.ImageRef;
import org.eclipse.jetty.client.HttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One fetch of one version from one peer: the attempt loop of {@link ImageFetcher}. Used by one
 * thread, once.
 */
final class PeerTransfer {
    private static final Logger log = LoggerFactory.getLogger(PeerTransfer.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");

    private final FetchConfig config;
    private final HttpClient http;
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

    PeerTransfer(FetchConfig config, HttpClient http, URI peer,
                 StagedTransfer staged, TransferProgress progress, Cancellation cancellation) {
        this.config = config;
        this.http = http;
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
        } catch (ImageCustomizationException e) {
            throw refusedHere(peer, ref, e);
        } catch (UncheckedIOException e) {
            throw fail(Reason.IO, "the local image store failed: " + e.getMessage(), e);
        }
    }

    /** A version that arrived intact but that this server's hypervisor would not take. */
    static TransferException refusedHere(URI peer, ImageRef ref, ImageCustomizationException e) {
        return new TransferException(Reason.REFUSED_HERE, peer, ref, "fetched " + ref + " from " + peer
                + " intact, but did not keep it: " + e.getMessage(), e);
    }

    /** One request for the missing bytes; returns once all have arrived. */
    private void download() throws RetryableFailure {
        long from = present();
        try (PeerRequest request = new PeerRequest(http, uri)) {
            cancellation.onCancel(() -> request.abort(new CancellationException("cancelled")));
            send(request, from);
            from = checkResponse(request, from);
            copy(request, from);
        }
    }

    private void send(PeerRequest request, long from) throws RetryableFailure {
        if (from > 0) {
            request.header("Range", "bytes=" + from + "-");
        }
        if (config.bearerToken() != null) {
            request.header("Authorization", "Bearer " + config.bearerToken());
        }
        progress.onProgress(from, staged.expectedSize());
        try {
            request.send(config.connectTimeout().plus(config.responseTimeout()), max(config.responseTimeout(), config.idleTimeout()));
        } catch (IOException e) {
            if (stopped()) {
                throw cancelled(e);
            }
            if (e instanceof ConnectException || e instanceof NoRouteToHostException
                    || e instanceof UnknownHostException || e instanceof SocketTimeoutException) {
                throw new RetryableFailure(Reason.PEER_UNREACHABLE, "peer unreachable (" + describe(e) + ")", e);
            }
            throw new RetryableFailure(Reason.IO, "request failed (" + describe(e) + ")", e);
        }
    }

    /** Checks status and headers; returns the offset the body starts at. */
    private long checkResponse(PeerRequest r, long from) throws RetryableFailure {
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
                    + errorText(r) + ")", null);
            case 401, 403 -> throw fail(Reason.REFUSED_BY_PEER, "the peer refused the request (HTTP "
                    + r.status() + ": " + errorText(r) + ")", null);
            case 416 -> {
                resetStaged();
                throw new RetryableFailure(Reason.IO, "peer refused the range 'bytes=" + from + "-' (HTTP 416: "
                        + errorText(r) + "); starting over", null);
            }
            default -> throw new RetryableFailure(Reason.IO, "peer answered HTTP " + r.status() + ": "
                    + errorText(r), null);
        }
    }

    private String errorText(PeerRequest r) {
        return r.errorText(config.idleTimeout());
    }

    /** Refuses, before any byte is copied, a peer that says it holds different content for the ref. */
    private void checkIdentity(PeerRequest r) {
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
     * Streams the body into the staged file, chunk by chunk as the client received them. A stall
     * (no bytes for the idle timeout), a cancellation or an interrupt aborts the exchange.
     */
    private void copy(PeerRequest request, long from) throws RetryableFailure {
        long total = staged.expectedSize();
        long have = from;
        try (OutputStream out = appendStream()) {
            PeerRequest.Sink sink = (b, off, len) -> write(out, b, off, len);
            int n;
            while ((n = read(request, sink, have, out)) >= 0) {
                have += n;
                received += n;
                progress.onProgress(have, total);
            }
        } catch (IOException e) {
            throw fail(Reason.IO, "the local image store could not finish writing: " + e.getMessage(), e);
        } catch (ImageIntegrityException e) {
            throw new TransferException(Reason.INTEGRITY, peer, ref, "could not fetch " + ref + " from " + peer
                    + ": " + e.getMessage(), e);
        }
        if (have < total) {
            throw new RetryableFailure(Reason.IO, "connection closed after " + have + " of " + total + " bytes", null);
        }
    }

    private int read(PeerRequest request, PeerRequest.Sink sink, long have, OutputStream out)
            throws RetryableFailure {
        try {
            return request.next(config.idleTimeout(), sink);
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

    private void write(OutputStream out, byte[] buf, int off, int n) {
        try {
            out.write(buf, off, n);
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
            case REFUSED_HERE -> "see why above";
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

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
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
