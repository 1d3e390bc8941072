package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Copies base image versions from peers into the local {@link ImageStore} over HTTP
 * ({@link ImageProtocol}), resuming, retrying and verifying. Thread-safe: any number of fetches of
 * different versions may run at once, each on its caller's thread.
 *
 * <p>One fetch: stage the version (resuming a partial file left by an earlier attempt, even before
 * a restart), request the missing bytes with {@code Range: bytes=N-}, append them while hashing,
 * then verify size and SHA-256 against what the grid registered and publish atomically. A broken,
 * stalled or failed attempt is retried up to {@link FetchConfig#maxAttempts()} times with
 * exponential backoff, each retry resuming. A whole copy that fails verification is fetched once
 * more from the start; 404, 401/403 and a second integrity failure are not retried: the reconciler
 * should pick another peer. A version whose parent is landed here is first asked for as a
 * {@link BlockDiff} against it, falling back to the whole version. The expected checksum comes from the caller (the
 * cluster image), never from the peer, so a peer cannot make us accept other bytes.
 */
public final class ImageFetcher implements AutoCloseable {
    /**
     * Whole copies fetched again after one failed verification: bytes damaged on the way (or a
     * peer's disk read going wrong once) should not cost a minute's back-off in the planner, while a
     * peer that always serves wrong bytes is given up on after two full copies.
     */
    static final int INTEGRITY_RETRIES = 1;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ImageFetcher.class);
    private final ImageStore store;
    private final FetchConfig config;
    private final HttpClient http;
    /** Whole versions: Jetty's client (see {@link PeerRequest} for why not {@code java.net.http}). */
    private final org.eclipse.jetty.client.HttpClient jetty;
    private final ScheduledExecutorService watchdog;

    public ImageFetcher(ImageStore store, FetchConfig config) {
        this.store = store;
        this.config = config;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.jetty = PeerRequest.startClient(config.connectTimeout());
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "deskmesh-image-fetch-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    /** {@link #fetch(URI, ImageVersionImage, TransferProgress, Cancellation)} without progress or cancellation. */
    public ImageManifest fetch(URI peer, ImageVersionImage expected) {
        return fetch(peer, expected, TransferProgress.NONE, new Cancellation());
    }

    /**
     * Fetches {@code expected.ref()} from {@code peer} unless it is already landed with the same
     * checksum, and returns its manifest. See {@link #transfer}.
     */
    public ImageManifest fetch(URI peer, ImageVersionImage expected, TransferProgress progress,
                               Cancellation cancellation) {
        return transfer(peer, expected, progress, cancellation).manifest();
    }

    /**
     * Fetches {@code expected.ref()} from {@code peer} unless it is already landed with the same
     * checksum, and says how it moved. When this node holds the parent version
     * ({@code expected.parentVersion()}), the peer is first asked for a {@link BlockDiff} against it;
     * if the peer cannot give one (it lacks the parent, the difference is not worth it) or the
     * rebuilt file fails verification, the whole version is fetched. A whole copy that fails
     * verification is fetched once more before the fetch fails with {@code INTEGRITY}.
     *
     * @param peer     the peer's base URL, e.g. {@code http://10.0.0.2:8081}
     * @param expected size, SHA-256 and parent as registered in the grid
     * @throws TransferException   with a {@link TransferException.Reason}; the message names the
     *                             peer, the version and what to do
     * @throws IllegalArgumentException if the ref or checksum is invalid
     */
    public FetchReport transfer(URI peer, ImageVersionImage expected, TransferProgress progress,
                                Cancellation cancellation) {
        ImageRef ref = ImageNames.requireValid(expected.ref());
        Sha256.requireHex(expected.sha256());
        Optional<ImageManifest> landed = store.manifest(ref);
        if (landed.isPresent()) {
            return new FetchReport(alreadyLanded(peer, landed.get(), expected), FetchReport.Mode.PRESENT, 0,
                    expected.sizeBytes());
        }
        long received = 0;
        Optional<ImageManifest> base = expected.parentVersion() > 0
                ? store.manifest(new ImageRef(ref.image(), expected.parentVersion())) : Optional.empty();
        if (base.isPresent()) {
            DiffTransfer diff = new DiffTransfer(http, config, watchdog, peer, expected, base.get(), store, cancellation);
            Optional<ImageManifest> m = diff.run();
            received += diff.received();
            if (m.isPresent()) {
                return new FetchReport(m.get(), FetchReport.Mode.DIFFERENCE, received, expected.sizeBytes());
            }
        }
        for (int round = 0; ; round++) {
            StagedTransfer staged;
            try {
                staged = store.stage(ref, expected.sizeBytes(), expected.sha256(), expected.parentVersion());
            } catch (IllegalStateException e) {
                throw new TransferException(TransferException.Reason.IO, peer, ref, "could not fetch " + ref + " from "
                        + peer + ": " + e.getMessage(), e);
            } catch (ImageAlreadyExistsException e) {
                return present(peer, expected, e, received);
            }
            PeerTransfer transfer = new PeerTransfer(config, jetty, peer, staged, progress, cancellation);
            try (staged) {
                ImageManifest m = transfer.run();
                return new FetchReport(m, FetchReport.Mode.FULL, received + transfer.received(), expected.sizeBytes());
            } catch (ImageAlreadyExistsException e) {
                // Landed by an import that raced with us; fine if it is the same content.
                return present(peer, expected, e, received + transfer.received());
            } catch (TransferException e) {
                received += transfer.received();
                if (e.reason() != TransferException.Reason.INTEGRITY || !(e.getCause() instanceof ImageIntegrityException)
                        || round >= INTEGRITY_RETRIES) {
                    throw e;
                }
                LOG.warn("rejected the copy of {} from {} ({}); fetching it once more", ref, peer, e.getMessage());
            }
        }
    }

    private FetchReport present(URI peer, ImageVersionImage expected, ImageAlreadyExistsException e, long received) {
        ImageManifest m = alreadyLanded(peer, store.manifest(expected.ref()).orElseThrow(() -> e), expected);
        return new FetchReport(m, FetchReport.Mode.PRESENT, received, expected.sizeBytes());
    }

    /** Stops the HTTP client and the watchdog; fetches in progress fail. */
    @Override
    public void close() {
        watchdog.shutdownNow();
        http.shutdownNow();
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("could not stop the image fetch HTTP client: {}", e.toString());
        }
    }

    private static ImageManifest alreadyLanded(URI peer, ImageManifest m, ImageVersionImage expected) {
        if (m.sizeBytes() == expected.sizeBytes() && m.sha256().equalsIgnoreCase(expected.sha256())) {
            return m;
        }
        throw new TransferException(TransferException.Reason.INTEGRITY, peer, m.ref(), "will not fetch " + m.ref()
                + " from " + peer + ": this node already holds " + m.ref() + " with sha256 " + m.sha256() + " ("
                + m.sizeBytes() + " bytes) but the grid registered sha256 " + expected.sha256() + " ("
                + expected.sizeBytes() + " bytes); delete the local copy and fetch again", null);
    }
}
