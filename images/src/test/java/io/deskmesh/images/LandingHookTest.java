package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every way a version lands runs the store's landing hook; a refusal leaves nothing landed. */
class LandingHookTest {
    private static final ImageRef V1 = new ImageRef("desk", 1);
    private static final ImageRef V2 = new ImageRef("desk", 2);
    private static final long GUEST = 16L << 20;
    private static final FetchConfig FAST = FetchConfig.defaults()
            .withAttempts(2, Duration.ofMillis(10), Duration.ofMillis(50))
            .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(10));

    @TempDir
    Path tmp;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final RecordingHook hook = new RecordingHook();
    private LocalImageStore source;
    private LocalImageStore local;
    private Path v1;
    private Path v2;

    /** Writes a descriptor naming the disk it saw, and refuses what it is told to refuse. */
    static final class RecordingHook implements LandingHook {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile ImageCustomizationException refusal;

        @Override
        public void landed(ImageManifest manifest, Path disk, Path localDirectory) {
            calls.add("landed " + manifest.ref());
            if (refusal != null) {
                throw refusal;
            }
            try {
                Files.writeString(localDirectory.resolve("descriptor"), disk.toString());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        @Override
        public void removing(ImageRef ref) {
            calls.add("removing " + ref);
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        source = new LocalImageStore(tmp.resolve("source"));
        local = new LocalImageStore(tmp.resolve("local"), Clock.systemUTC(), hook);
        v1 = Qcow2Disks.create(tmp, "v1", GUEST, 3);
        v2 = Qcow2Disks.changed(v1, tmp.resolve("v2.qcow2"), GUEST, 4);
    }

    @AfterEach
    void tearDown() throws Exception {
        TestPeer.closeAll(closeables);
    }

    private FetchReport fetch(ImageVersionImage expected) throws IOException {
        TestPeer peer = TestPeer.serving(source, closeables);
        ImageFetcher f = new ImageFetcher(local, FAST);
        closeables.add(f);
        return f.transfer(peer.base(), expected, TransferProgress.NONE, new Cancellation());
    }

    private void assertCustomised(ImageRef ref) throws IOException {
        Path descriptor = local.diskPath(ref).resolveSibling(LocalImageStore.LOCAL).resolve("descriptor");
        assertThat(Files.readString(descriptor)).isEqualTo(local.diskPath(ref).toString());
    }

    @Test
    void anImportAWholeFetchAndADifferenceEachRunTheHookOnTheLandedDisk() throws IOException {
        local.importFile(v1, V1, 0, "office");
        source.importFile(v1, V1, 0, "office");
        ImageVersionImage two = source.importFile(v2, V2, 1, "office").toVersionImage(0);

        FetchReport report = fetch(two);

        assertThat(report.mode()).isEqualTo(FetchReport.Mode.DIFFERENCE);
        assertThat(hook.calls).containsExactly("landed desk@1", "landed desk@2");
        assertCustomised(V1);
        assertCustomised(V2);
        // The hook's files are this server's: the disk served to peers is the registered one.
        assertThat(Sha256.ofFile(local.diskPath(V2))).isEqualTo(two.sha256());
        assertThat(local.manifest(V2)).hasValueSatisfying(m -> assertThat(m.matches(two)).isTrue());
    }

    @Test
    void aWholeFetchRunsTheHook() throws IOException {
        ImageVersionImage one = source.importFile(v1, V1, 0, "office").toVersionImage(0);

        assertThat(fetch(one).mode()).isEqualTo(FetchReport.Mode.FULL);

        assertThat(hook.calls).containsExactly("landed desk@1");
        assertCustomised(V1);
    }

    @Test
    void aDiskTheHookRefusesIsNotKeptAndItsDifferenceIsNotRetriedWhole() throws IOException {
        local.importFile(v1, V1, 0, "office");
        source.importFile(v1, V1, 0, "office");
        ImageVersionImage two = source.importFile(v2, V2, 1, "office").toVersionImage(0);
        hook.refusal = new ImageCustomizationException(V2, "a qcow2 overlay on /elsewhere/disk.qcow2", null, false);

        assertThatThrownBy(() -> fetch(two))
                .isInstanceOfSatisfying(TransferException.class,
                        e -> assertThat(e.reason()).isEqualTo(TransferException.Reason.REFUSED_HERE))
                .hasMessageContaining("intact, but did not keep it")
                .hasMessageContaining("/elsewhere/disk.qcow2");

        assertThat(local.has(V2)).isFalse();
        assertThat(hook.calls).containsExactly("landed desk@1", "landed desk@2", "removing desk@2");
    }

    @Test
    void aWholeCopyTheHookRefusesIsNotKeptAndNotFetchedAgain() throws IOException {
        ImageVersionImage one = source.importFile(v1, V1, 0, "office").toVersionImage(0);
        hook.refusal = new ImageCustomizationException(V1, "a raw disk, not qcow2", null, false);
        TestPeer peer = TestPeer.serving(source, closeables);
        ImageFetcher f = new ImageFetcher(local, FAST);
        closeables.add(f);

        assertThatThrownBy(() -> f.transfer(peer.base(), one, TransferProgress.NONE, new Cancellation()))
                .isInstanceOfSatisfying(TransferException.class,
                        e -> assertThat(e.reason()).isEqualTo(TransferException.Reason.REFUSED_HERE))
                .hasMessageContaining("a raw disk, not qcow2");

        assertThat(local.has(V1)).isFalse();
        assertThat(peer.requests()).hasSize(1);
    }

    @Test
    void anUploadTheHookRefusesIsNotKept() {
        hook.refusal = new ImageCustomizationException(V1, "libvirt did not answer", null, true);

        assertThatThrownBy(() -> local.importFile(v1, V1, 0, "office"))
                .isInstanceOf(ImageCustomizationException.class).hasMessageContaining("libvirt did not answer");

        assertThat(local.has(V1)).isFalse();
        assertThat(local.list()).isEmpty();
    }

    @Test
    void atStartAVersionIsCustomisedAgainKeptWhenTheHostFailedAndDeletedWhenItsDiskIsRefused() throws IOException {
        local.importFile(v1, V1, 0, "office");
        local.importFile(v2, V2, 1, "office");
        Files.delete(local.diskPath(V1).resolveSibling(LocalImageStore.LOCAL).resolve("descriptor"));
        hook.calls.clear();

        assertThat(local.customizeLanded()).isEmpty();
        assertThat(hook.calls).containsExactly("landed desk@1", "landed desk@2");
        assertCustomised(V1);

        hook.refusal = new ImageCustomizationException(V1, "libvirt did not answer", null, true);
        assertThat(local.customizeLanded()).hasSize(2);
        assertThat(local.has(V1)).isTrue();
        assertThat(local.has(V2)).isTrue();

        hook.refusal = new ImageCustomizationException(V1, "not qcow2", null, false);
        assertThat(local.customizeLanded()).hasSize(2);
        assertThat(local.list()).isEmpty();
    }

    @Test
    void deletingAVersionUndoesTheHookFirst() {
        local.importFile(v1, V1, 0, "office");

        local.delete(V1);
        local.delete(V1);

        assertThat(hook.calls).containsExactly("landed desk@1", "removing desk@1");
    }
}
