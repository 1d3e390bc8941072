package io.deskmesh.images;

import io.deskmesh.images.TransferException.Reason;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageFetcherTest {
    private static final ImageRef REF = new ImageRef("win11", 2);
    private static final int SIZE = 3 * 1024 * 1024 + 4321;
    private static final FetchConfig FAST = FetchConfig.defaults()
            .withAttempts(3, Duration.ofMillis(10), Duration.ofMillis(50))
            .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10));

    @TempDir
    Path tmp;
    private LocalImageStore source;
    private LocalImageStore local;
    private ImageVersionImage expected;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() {
        source = new LocalImageStore(tmp.resolve("source"));
        local = new LocalImageStore(tmp.resolve("local"));
        expected = SyntheticImages.importInto(source, REF, SIZE, 11, 1, null).toVersionImage(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        TestPeer.closeAll(closeables);
    }

    private TestPeer peer(ImageStore store) throws IOException {
        return TestPeer.serving(store, closeables);
    }

    private ImageFetcher fetcher(FetchConfig config) {
        ImageFetcher f = new ImageFetcher(local, config);
        closeables.add(f);
        return f;
    }

    private void assertLandedIntact() throws IOException {
        assertThat(local.manifest(REF)).hasValueSatisfying(m -> assertThat(m.matches(expected)).isTrue());
        assertThat(Files.mismatch(local.diskPath(REF), source.diskPath(REF))).isEqualTo(-1L);
        assertThat(stagingFiles()).isEmpty();
    }

    private List<Path> stagingFiles() throws IOException {
        try (var s = Files.list(local.root().resolve(".staging"))) {
            return s.toList();
        }
    }

    @Test
    void aFullTransferLandsTheSameBytesAndReportsProgress() throws IOException {
        TestPeer peer = peer(source);
        List<long[]> progress = new ArrayList<>();

        ImageManifest m = fetcher(FAST).fetch(peer.base(), expected,
                (bytes, total) -> progress.add(new long[]{bytes, total}), new Cancellation());

        assertThat(m.sha256()).isEqualTo(expected.sha256());
        assertThat(m.parentVersion()).isEqualTo(1);
        assertLandedIntact();
        assertThat(peer.requests()).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("GET");
            assertThat(r.path()).isEqualTo("/internal/v1/images/win11/2");
            assertThat(r.range()).isNull();
            assertThat(r.authorization()).isNull();
        });
        assertThat(progress).isNotEmpty().allSatisfy(p -> assertThat(p[1]).isEqualTo(SIZE));
        assertThat(progress.getFirst()[0]).isZero();
        assertThat(progress.getLast()[0]).isEqualTo(SIZE);
        for (int i = 1; i < progress.size(); i++) {
            assertThat(progress.get(i)[0]).isGreaterThanOrEqualTo(progress.get(i - 1)[0]);
        }
    }

    @Test
    void aTransferCutHalfwayResumesWithARangeRequestAndVerifies() throws IOException {
        TestPeer peer = peer(source);
        long cut = SIZE / 2 + 7;
        peer.cutNextResponseAfter(cut);
        List<Long> progress = new ArrayList<>();

        ImageManifest m = fetcher(FAST).fetch(peer.base(), expected, (bytes, total) -> progress.add(bytes),
                new Cancellation());

        assertThat(m.sha256()).isEqualTo(expected.sha256());
        assertLandedIntact();
        List<String> ranges = peer.requests().stream().map(TestPeer.Request::range).toList();
        assertThat(ranges).hasSize(2);
        assertThat(ranges.getFirst()).isNull();
        assertThat(ranges.get(1)).matches("bytes=\\d+-");
        // The resume point is exactly what the first attempt stored. Bytes still in the client's
        // buffers when the connection breaks may be lost, so that may be a little short of what
        // the peer sent, never more.
        long resumedAt = Long.parseLong(ranges.get(1).substring(6, ranges.get(1).length() - 1));
        assertThat(resumedAt).isBetween(cut - 256 * 1024, cut);
        int firstOfSecondAttempt = progress.lastIndexOf(resumedAt);
        assertThat(firstOfSecondAttempt).isPositive();
        assertThat(progress.get(firstOfSecondAttempt - 1)).isEqualTo(resumedAt); // attempt 1 ended there
        assertThat(progress.getLast()).isEqualTo((long) SIZE);
    }

    @Test
    void aPartialFileLeftBeforeARestartIsResumed() throws IOException {
        long present = 1_234_567;
        try (StagedTransfer t = local.stage(REF, SIZE, expected.sha256(), 1);
             OutputStream out = t.append(); InputStream in = SyntheticImages.open(REF, present, 11)) {
            in.transferTo(out);
        }
        local = new LocalImageStore(tmp.resolve("local")); // the node restarted
        TestPeer peer = peer(source);

        fetcher(FAST).fetch(peer.base(), expected);

        assertLandedIntact();
        assertThat(peer.requests()).extracting(TestPeer.Request::range).containsExactly("bytes=" + present + "-");
    }

    @Test
    void aCorruptedTransferIsAnIntegrityErrorThatDeletesThePartialAndAGoodPeerThenSucceeds() throws IOException {
        TestPeer bad = peer(source);
        bad.flipByteAt(SIZE - 100);
        ImageFetcher fetcher = fetcher(FAST);

        assertThatThrownBy(() -> fetcher.fetch(bad.base(), expected))
                .isInstanceOfSatisfying(TransferException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.INTEGRITY);
                    assertThat(e.peer()).isEqualTo(bad.base());
                    assertThat(e.ref()).isEqualTo(REF);
                    assertThat(e.getCause()).isInstanceOf(ImageIntegrityException.class);
                })
                .hasMessageContaining("win11@2").hasMessageContaining(bad.base().toString())
                .hasMessageContaining("expected " + SIZE + " bytes with sha256 " + expected.sha256())
                .hasMessageContaining("another replica");
        // A copy failing verification is fetched once more, then the peer is given up on.
        assertThat(bad.requests()).extracting(TestPeer.Request::range).containsExactly(null, null);
        assertThat(local.has(REF)).isFalse();
        assertThat(stagingFiles()).isEmpty();

        TestPeer good = peer(source);
        fetcher.fetch(good.base(), expected);
        assertLandedIntact();
        assertThat(good.requests()).extracting(TestPeer.Request::range).containsExactly((String) null);
    }

    @Test
    void aCopyCorruptedOnceIsRejectedFetchedAgainAndLands() throws IOException {
        TestPeer peer = peer(source);
        peer.flipByteOnceAt(SIZE / 3);

        FetchReport report = fetcher(FAST).transfer(peer.base(), expected, TransferProgress.NONE, new Cancellation());

        assertLandedIntact();
        assertThat(report.mode()).isEqualTo(FetchReport.Mode.FULL);
        assertThat(report.bytesReceived()).isEqualTo(2L * SIZE);
        assertThat(peer.requests()).extracting(TestPeer.Request::range).containsExactly(null, null);
    }

    @Test
    void aPeerHoldingOtherContentIsRefusedBeforeAnyByteIsCopied() throws IOException {
        LocalImageStore impostor = new LocalImageStore(tmp.resolve("impostor"));
        SyntheticImages.importInto(impostor, REF, SIZE, 999, 1, null);
        TestPeer peer = peer(impostor);

        assertThatThrownBy(() -> fetcher(FAST).fetch(peer.base(), expected))
                .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INTEGRITY))
                .hasMessageContaining("holds different content").hasMessageContaining("nothing was copied");
        try (StagedTransfer t = local.stage(REF, SIZE, expected.sha256(), 1)) {
            assertThat(t.bytesPresent()).isZero();
        }
    }

    @Test
    void anUnreachablePeerIsReportedAfterEveryAttempt() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI nobody = URI.create("http://127.0.0.1:" + port);

        assertThatThrownBy(() -> fetcher(FAST).fetch(nobody, expected))
                .isInstanceOfSatisfying(TransferException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.PEER_UNREACHABLE);
                    assertThat(e.peer()).isEqualTo(nobody);
                })
                .hasMessageContaining("could not fetch win11@2 from " + nobody)
                .hasMessageContaining("gave up after 3 attempts")
                .hasMessageContaining("running and reachable");
        assertThat(local.has(REF)).isFalse();
    }

    @Test
    void aPeerWithoutTheVersionIsNotFoundAndNotRetried() throws IOException {
        TestPeer peer = peer(new LocalImageStore(tmp.resolve("empty")));

        assertThatThrownBy(() -> fetcher(FAST).fetch(peer.base(), expected))
                .isInstanceOfSatisfying(TransferException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND_ON_PEER))
                .hasMessageContaining("HTTP 404").hasMessageContaining("win11@2 is not on this node");
        assertThat(peer.requests()).hasSize(1);
    }

    @Test
    void theGridTokenIsSentAsABearerTokenAndAWrongOneIsRefused() throws IOException {
        TestPeer peer = peer(source);
        peer.requireToken("grid-s3cret");

        assertThatThrownBy(() -> fetcher(FAST.withBearerToken("not-the-token")).fetch(peer.base(), expected))
                .isInstanceOfSatisfying(TransferException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED_BY_PEER))
                .hasMessageContaining("HTTP 401").hasMessageContaining("grid token")
                .hasMessageNotContaining("not-the-token");

        fetcher(FAST.withBearerToken("grid-s3cret")).fetch(peer.base(), expected);
        assertLandedIntact();
        assertThat(peer.requests()).extracting(TestPeer.Request::authorization)
                .containsExactly("Bearer not-the-token", "Bearer grid-s3cret");
        assertThat(FAST.withBearerToken("grid-s3cret").toString()).doesNotContain("grid-s3cret");
    }

    /** Starts a fetch on {@code thread} from a peer that stalls after {@code stallAt} bytes; returns once they arrived. */
    private Future<ImageManifest> fetchUntilStalled(TestPeer peer, long stallAt, Cancellation cancellation,
                                                    ExecutorService thread) throws InterruptedException {
        peer.stallNextResponseAfter(stallAt);
        closeables.add(thread::shutdownNow);
        CountDownLatch reached = new CountDownLatch(1);
        Future<ImageManifest> running = thread.submit(() -> fetcher(FAST).fetch(peer.base(), expected,
                (bytes, total) -> {
                    if (bytes >= stallAt) {
                        reached.countDown();
                    }
                }, cancellation));
        assertThat(reached.await(10, TimeUnit.SECONDS)).isTrue();
        return running;
    }

    @Test
    void cancellingStopsPromptlyKeepsThePartialAndALaterFetchResumes() throws Exception {
        TestPeer peer = peer(source);
        long stallAt = 1_000_000;
        Cancellation cancellation = new Cancellation();
        ExecutorService thread = Executors.newSingleThreadExecutor();
        Future<ImageManifest> running = fetchUntilStalled(peer, stallAt, cancellation, thread);
        cancellation.cancel();

        assertThatThrownBy(() -> running.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(TransferException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.CANCELLED))
                .hasMessageContaining("cancelled").hasMessageContaining(stallAt + " bytes received so far are kept");
        assertThat(peer.requests()).hasSize(1);
        assertThat(local.has(REF)).isFalse();

        fetcher(FAST).fetch(peer.base(), expected);
        assertLandedIntact();
        assertThat(peer.requests()).extracting(TestPeer.Request::range).containsExactly(null, "bytes=" + stallAt + "-");
    }

    @Test
    void interruptingTheFetchingThreadStopsABlockedReadAndKeepsThePartial() throws Exception {
        TestPeer peer = peer(source);
        long stallAt = 1_000_000;
        ExecutorService thread = Executors.newSingleThreadExecutor();
        Future<ImageManifest> running = fetchUntilStalled(peer, stallAt, new Cancellation(), thread);
        running.cancel(true); // interrupts the thread blocked reading the stalled body

        thread.shutdown();
        assertThat(thread.awaitTermination(5, TimeUnit.SECONDS)).as("the fetch ended after the interrupt").isTrue();
        assertThat(local.has(REF)).isFalse();
        assertThat(peer.requests()).hasSize(1);

        fetcher(FAST).fetch(peer.base(), expected);
        assertLandedIntact();
        assertThat(peer.requests()).extracting(TestPeer.Request::range).containsExactly(null, "bytes=" + stallAt + "-");
    }

    @Test
    void aCancellationBeforeTheStartFetchesNothing() throws IOException {
        TestPeer peer = peer(source);
        Cancellation c = new Cancellation();
        c.cancel();

        assertThatThrownBy(() -> fetcher(FAST).fetch(peer.base(), expected, TransferProgress.NONE, c))
                .isInstanceOfSatisfying(TransferException.class, e -> assertThat(e.reason()).isEqualTo(Reason.CANCELLED));
        assertThat(peer.requests()).isEmpty();
    }

    @Test
    void aStalledPeerIsAbandonedAfterTheIdleTimeoutAndTheRetryResumes() throws IOException {
        TestPeer peer = peer(source);
        long stallAt = 2_000_000;
        peer.stallNextResponseAfter(stallAt);
        FetchConfig impatient = FAST.withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMillis(300));

        fetcher(impatient).fetch(peer.base(), expected);

        assertLandedIntact();
        assertThat(peer.requests()).extracting(TestPeer.Request::range).containsExactly(null, "bytes=" + stallAt + "-");
    }

    @Test
    void anAlreadyLandedVersionIsNotFetchedAgain() throws IOException {
        TestPeer peer = peer(source);
        ImageFetcher fetcher = fetcher(FAST);
        ImageManifest first = fetcher.fetch(peer.base(), expected);

        assertThat(fetcher.fetch(peer.base(), expected)).isEqualTo(first);
        assertThat(peer.requests()).hasSize(1);
    }

    @Test
    void anEmptyImageIsFetched() throws IOException {
        ImageRef empty = new ImageRef("empty", 1);
        ImageVersionImage e = SyntheticImages.importInto(source, empty, 0, 1, 0, null).toVersionImage(0);

        ImageManifest m = fetcher(FAST).fetch(peer(source).base(), e);

        assertThat(m.sizeBytes()).isZero();
        assertThat(local.has(empty)).isTrue();
    }
}
