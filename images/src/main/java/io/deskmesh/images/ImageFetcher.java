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
 * exponential backoff, each retry resuming. 404, 401/403 and integrity failures are not retried:
 * the reconciler should pick another peer. The expected checksum comes from the caller (the
 * cluster image), never from the peer, so a peer cannot make us accept other bytes.
 */
public final class ImageFetcher implements AutoCloseable {
    private final ImageStore store;
    private final FetchConfig config;
    private final HttpClient http;
    private final ScheduledExecutorService watchdog;

    public ImageFetcher(ImageStore store, FetchConfig config) {
        this.store = store;
        this.config = config;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
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
     * checksum, and returns its manifest.
     *
     * @param peer     the peer's base URL, e.g. {@code http://10.0.0.2:8081}
     * @param expected size, SHA-256 and parent as registered in the grid
     * @throws TransferException   with a {@link TransferException.Reason}; the message names the
     *                             peer, the version and what to do
     * @throws IllegalArgumentException if the ref or checksum is invalid
     */
    public ImageManifest fetch(URI peer, ImageVersionImage expected, TransferProgress progress,
                               Cancellation cancellation) {
        ImageRef ref = ImageNames.requireValid(expected.ref());
        Sha256.requireHex(expected.sha256());
        Optional<ImageManifest> landed = store.manifest(ref);
        if (landed.isPresent()) {
            return alreadyLanded(peer, landed.get(), expected);
        }
        StagedTransfer staged;
        try {
            staged = store.stage(ref, expected.sizeBytes(), expected.sha256(), expected.parentVersion());
        } catch (IllegalStateException e) {
            throw new TransferException(TransferException.Reason.IO, peer, ref, "could not fetch " + ref + " from "
                    + peer + ": " + e.getMessage(), e);
        } catch (ImageAlreadyExistsException e) {
            return alreadyLanded(peer, store.manifest(ref).orElseThrow(() -> e), expected);
        }
        try (staged) {
            return new PeerTransfer(http, config, watchdog, peer, staged, progress, cancellation).run();
        } catch (ImageAlreadyExistsException e) {
            // Landed by an import that raced with us; fine if it is the same content.
            return alreadyLanded(peer, store.manifest(ref).orElseThrow(() -> e), expected);
        }
    }

    /** Stops the HTTP client and the watchdog; fetches in progress fail. */
    @Override
    public void close() {
        watchdog.shutdownNow();
        http.shutdownNow();
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
