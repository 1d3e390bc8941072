package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Versions moving as block differences between real qcow2 disks, over real HTTP on loopback. */
class DifferenceTransferTest {
    private static final ImageRef V1 = new ImageRef("desk", 1);
    private static final ImageRef V2 = new ImageRef("desk", 2);
    private static final long GUEST = 32L << 20;
    private static final FetchConfig FAST = FetchConfig.defaults()
            .withAttempts(3, Duration.ofMillis(10), Duration.ofMillis(50))
            .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10));

    @TempDir
    Path tmp;
    private LocalImageStore source;
    private LocalImageStore local;
    private ImageVersionImage expected;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        source = new LocalImageStore(tmp.resolve("source"));
        local = new LocalImageStore(tmp.resolve("local"));
        Path v1 = Qcow2Disks.create(tmp, "v1", GUEST, 7);
        // 1% of the guest's clusters change, as a VM booted on a copy of version 1 would change them.
        int clusters = (int) (GUEST / Qcow2Disks.CLUSTER / 100);
        Path v2 = Qcow2Disks.changed(v1, tmp.resolve("v2.qcow2"), GUEST, clusters);
        source.importFile(v1, V1, 0, "office");
        local.importFile(v1, V1, 0, "office");
        expected = source.importFile(v2, V2, 1, "office").toVersionImage(0);
    }

    @AfterEach
    void tearDown() throws Exception {
        TestPeer.closeAll(closeables);
    }

    private TestPeer peer(ImageStore store) throws IOException {
        return TestPeer.serving(store, closeables);
    }

    private FetchReport fetch(TestPeer peer) {
        ImageFetcher f = new ImageFetcher(local, FAST);
        closeables.add(f);
        return f.transfer(peer.base(), expected, TransferProgress.NONE, new Cancellation());
    }

    private void assertLandedIdentical() throws IOException {
        assertThat(local.manifest(V2)).hasValueSatisfying(m -> assertThat(m.matches(expected)).isTrue());
        assertThat(Sha256.ofFile(local.diskPath(V2))).isEqualTo(Sha256.ofFile(source.diskPath(V2)));
        assertThat(Files.mismatch(local.diskPath(V2), source.diskPath(V2))).isEqualTo(-1L);
    }

    @Test
    void aVersionWithOnePercentOfItsClustersChangedMovesAsLessThanFivePercentAndIsByteIdentical() throws IOException {
        TestPeer peer = peer(source);

        FetchReport report = fetch(peer);

        assertLandedIdentical();
        assertThat(report.mode()).isEqualTo(FetchReport.Mode.DIFFERENCE);
        assertThat(report.fullBytes()).isEqualTo(expected.sizeBytes());
        assertThat(report.bytesReceived()).isPositive().isLessThan(expected.sizeBytes() / 20);
        assertThat(peer.requests()).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo("/internal/v1/images/desk/2/diff");
            assertThat(r.query()).isEqualTo("base=1&baseSha256=" + local.manifest(V1).orElseThrow().sha256());
        });
    }

    @Test
    void aPeerWithoutTheParentSendsTheWholeVersion() throws IOException {
        LocalImageStore onlyV2 = new LocalImageStore(tmp.resolve("only-v2"));
        onlyV2.importFile(source.diskPath(V2), V2, 1, "office");
        TestPeer peer = peer(onlyV2);

        FetchReport report = fetch(peer);

        assertLandedIdentical();
        assertThat(report.mode()).isEqualTo(FetchReport.Mode.FULL);
        assertThat(report.bytesReceived()).isEqualTo(expected.sizeBytes());
        assertThat(peer.requests()).extracting(TestPeer.Request::path)
                .containsExactly("/internal/v1/images/desk/2/diff", "/internal/v1/images/desk/2");
    }

    @Test
    void aDifferenceCorruptedOnTheWayFailsVerificationAndTheWholeVersionIsFetched() throws IOException {
        TestPeer peer = peer(source);
        peer.flipByteOnceAt(BlockDiff.HEADER + 12 + 1000); // inside the first record's data

        FetchReport report = fetch(peer);

        assertLandedIdentical();
        assertThat(report.mode()).isEqualTo(FetchReport.Mode.FULL);
        assertThat(peer.requests()).extracting(TestPeer.Request::path)
                .containsExactly("/internal/v1/images/desk/2/diff", "/internal/v1/images/desk/2");
    }

    @Test
    void theServerRefusesADifferenceAgainstABaseWithOtherBytes() {
        Served s = new ImageServer(source).serveDifference("desk", "2", "1", "0".repeat(64), null);

        assertThat(s.status()).isEqualTo(409);
        assertThat(s.message()).contains("desk@1").contains("fetch the whole version");
        assertThat(new ImageServer(source).serveDifference("desk", "2", "2", "0".repeat(64), null).status())
                .isEqualTo(400);
        assertThat(new ImageServer(source).serveDifference("desk", "2", "x", "0".repeat(64), null).status())
                .isEqualTo(400);
    }

    @Test
    void blockDifferencesRebuildTheTargetExactlyWhateverChanged() throws IOException {
        long seed = Long.getLong("deskmesh.seed", System.nanoTime());
        Random r = new Random(seed);
        for (int round = 0; round < 30; round++) {
            byte[] base = new byte[r.nextInt(5 * BlockDiff.BLOCK)];
            r.nextBytes(base);
            byte[] target = java.util.Arrays.copyOf(base, Math.max(0, base.length + r.nextInt(3 * BlockDiff.BLOCK)
                    - BlockDiff.BLOCK));
            for (int k = r.nextInt(4); k > 0 && target.length > 0; k--) {
                target[r.nextInt(target.length)] ^= (byte) (1 + r.nextInt(255));
            }
            Path b = Files.write(tmp.resolve("b" + round), base);
            Path t = Files.write(tmp.resolve("t" + round), target);
            ByteArrayOutputStream diff = new ByteArrayOutputStream();
            BlockDiff.write(b, t, diff);
            ByteArrayOutputStream rebuilt = new ByteArrayOutputStream();
            BlockDiff.apply(new ByteArrayInputStream(base), base.length, new ByteArrayInputStream(diff.toByteArray()),
                    rebuilt);
            assertThat(rebuilt.toByteArray()).as("round %d of seed %d (-Ddeskmesh.seed=%d)", round, seed, seed)
                    .isEqualTo(target);
        }
    }

    @Test
    void aDifferenceAppliedToAnotherBaseSizeIsRefused() throws IOException {
        Path b = Files.write(tmp.resolve("b"), new byte[1000]);
        Path t = Files.write(tmp.resolve("t"), new byte[1500]);
        ByteArrayOutputStream diff = new ByteArrayOutputStream();
        BlockDiff.write(b, t, diff);

        assertThatThrownBy(() -> BlockDiff.apply(new ByteArrayInputStream(new byte[999]), 999,
                new ByteArrayInputStream(diff.toByteArray()), new ByteArrayOutputStream()))
                .isInstanceOf(IOException.class).hasMessageContaining("1000 bytes");
    }
}
