package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalImageStoreTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final ImageRef WIN11_1 = new ImageRef("win11", 1);

    @TempDir
    Path tmp;

    private LocalImageStore store() {
        return new LocalImageStore(tmp.resolve("store"), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private Path sourceFile(String name, long size, long seed) {
        Path p = tmp.resolve(name);
        SyntheticImages.write(p, new ImageRef("src", 1), size, seed);
        return p;
    }

    private static String sha256Of(Path p) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(p)) {
            d.update(in.readAllBytes());
        }
        return HexFormat.of().formatHex(d.digest());
    }

    @Test
    void importFileCopiesTheBytesAndRecordsSizeAndSha256() throws Exception {
        LocalImageStore store = store();
        Path src = sourceFile("win11.qcow2", 3 * 1024 * 1024 + 17, 7);

        ImageManifest m = store.importFile(src, "win11", 1, 0);

        assertThat(m.ref()).isEqualTo(WIN11_1);
        assertThat(m.sizeBytes()).isEqualTo(Files.size(src));
        assertThat(m.sha256()).isEqualTo(sha256Of(src));
        assertThat(m.parentVersion()).isZero();
        assertThat(m.importedAt()).isEqualTo(NOW);
        Path disk = store.diskPath(WIN11_1);
        assertThat(disk).isEqualTo(store.root().resolve("win11/1/disk.qcow2"));
        assertThat(Files.mismatch(disk, src)).isEqualTo(-1L);
        assertThat(store.has(WIN11_1)).isTrue();
        assertThat(store.manifest(WIN11_1)).contains(m);
    }

    @Test
    void manifestIsWrittenAsJsonAndSurvivesReopening() throws IOException {
        ImageManifest m = store().importStream(new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)),
                new ImageRef("ubuntu", 2), 1, "dev-desktop");

        String json = Files.readString(tmp.resolve("store/ubuntu/2/manifest.json"));
        assertThat(json).contains("\"image\" : \"ubuntu\"", "\"version\" : 2", "\"sizeBytes\" : 5",
                "\"sha256\" : \"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824\"",
                "\"parentVersion\" : 1", "\"template\" : \"dev-desktop\"", "\"importedAt\" : \"2025-03-01T12:00:00Z\"");
        assertThat(store().manifest(new ImageRef("ubuntu", 2))).contains(m);
        assertThat(m.templateName()).contains("dev-desktop");
    }

    @Test
    void importingAnExistingVersionIsRefusedAndKeepsTheOriginal() throws IOException {
        LocalImageStore store = store();
        ImageManifest first = store.importFile(sourceFile("a", 1000, 1), "win11", 1, 0);

        assertThatThrownBy(() -> store.importFile(sourceFile("b", 2000, 2), "win11", 1, 0))
                .isInstanceOf(ImageAlreadyExistsException.class)
                .hasMessageContaining("win11@1 is already in the store")
                .hasMessageContaining(first.sha256())
                .hasMessageContaining("new version");
        assertThat(store.manifest(WIN11_1)).contains(first);
        assertThat(Files.size(store.diskPath(WIN11_1))).isEqualTo(1000);
        assertThat(workDirectories(store)).isEmpty();
    }

    @Test
    void concurrentImportsOfOneVersionLandExactlyOnce() throws Exception {
        LocalImageStore store = store();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ImageManifest>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                long seed = i;
                Callable<ImageManifest> c = () -> SyntheticImages.importInto(store, WIN11_1, 256 * 1024, seed, 0, null);
                results.add(pool.submit(c));
            }
            List<ImageManifest> landed = new ArrayList<>();
            int refused = 0;
            for (Future<ImageManifest> f : results) {
                try {
                    landed.add(f.get());
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(ImageAlreadyExistsException.class);
                    refused++;
                }
            }
            assertThat(landed).hasSize(1);
            assertThat(refused).isEqualTo(3);
            assertThat(store.manifest(WIN11_1)).contains(landed.get(0));
            assertThat(sha256Of(store.diskPath(WIN11_1))).isEqualTo(landed.get(0).sha256());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void deleteRemovesTheVersionAndIsIdempotent() throws IOException {
        LocalImageStore store = store();
        store.importFile(sourceFile("a", 1000, 1), "win11", 1, 0);

        store.delete(WIN11_1);
        store.delete(WIN11_1);
        store.delete(new ImageRef("never-there", 4));

        assertThat(store.has(WIN11_1)).isFalse();
        assertThat(store.manifest(WIN11_1)).isEmpty();
        assertThat(store.list()).isEmpty();
        assertThat(store.root().resolve("win11")).doesNotExist();
        assertThatThrownBy(() -> store.diskPath(WIN11_1)).isInstanceOf(ImageNotFoundException.class)
                .hasMessageContaining("win11@1 is not in the image store");
        // the version can land again after deletion
        assertThat(store.importFile(sourceFile("b", 10, 2), "win11", 1, 0).sizeBytes()).isEqualTo(10);
    }

    @Test
    void listIsSortedAndBytesUsedCountsEveryFile() throws IOException {
        LocalImageStore store = store();
        store.importFile(sourceFile("a", 3000, 1), "win11", 2, 1);
        store.importFile(sourceFile("b", 2000, 2), "ubuntu", 1, 0);
        store.importFile(sourceFile("c", 1000, 3), "win11", 1, 0);
        store.importFile(sourceFile("d", 500, 4), "win11", 10, 2);

        assertThat(store.list()).extracting(m -> m.ref().toString())
                .containsExactly("ubuntu@1", "win11@1", "win11@2", "win11@10");
        long manifests = 0;
        for (ImageManifest m : store.list()) {
            manifests += Files.size(store.root().resolve(m.image()).resolve(Integer.toString(m.version()))
                    .resolve("manifest.json"));
        }
        assertThat(store.bytesUsed()).isEqualTo(6500 + manifests);

        store.delete(new ImageRef("win11", 2));
        assertThat(store.bytesUsed()).isLessThan(3500 + manifests);
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "a/b", "%2e%2e", "/etc", "../etc", "a\\b", "", ".hidden", "Win11", "a b",
            "%2fetc", "..%2f..", "a\u0000b"})
    void namesThatCouldEscapeTheStoreAreRefused(String bad) {
        LocalImageStore store = store();
        Path src = sourceFile("src", 10, 1);
        ImageRef ref = new ImageRef(bad, 1);

        assertThatThrownBy(() -> store.importFile(src, bad, 1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid base image name");
        assertThatThrownBy(() -> store.has(ref)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.diskPath(ref)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.delete(ref)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.stage(ref, 10, "0".repeat(64))).isInstanceOf(IllegalArgumentException.class);
        assertThat(store.list()).isEmpty();
        assertThat(tmp.resolve("etc")).doesNotExist();
    }

    @Test
    void errorsSayWhatWasWrongWithTheName() {
        LocalImageStore store = store();
        assertThatThrownBy(() -> store.has(new ImageRef("a/b", 1)))
                .hasMessageContaining("'a/b'").hasMessageContaining("path separator");
        assertThatThrownBy(() -> store.has(new ImageRef("..", 1)))
                .hasMessageContaining("'..'").hasMessageContaining("'..'");
        assertThatThrownBy(() -> store.has(new ImageRef("%2e%2e", 1)))
                .hasMessageContaining("'%2e%2e'").hasMessageContaining("'%'");
        assertThatThrownBy(() -> store.has(new ImageRef("win11", 0)))
                .hasMessageContaining("version 0").hasMessageContaining("start at 1");
        assertThatThrownBy(() -> store.importFile(tmp, "win11", 2, 2))
                .hasMessageContaining("parent version 2 of win11@2");
    }

    @Test
    void absoluteAndInStoreSourcesAreHandled() throws IOException {
        LocalImageStore store = store();
        store.importFile(sourceFile("a", 100, 1), "win11", 1, 0);

        assertThatThrownBy(() -> store.importFile(store.diskPath(WIN11_1), "win11", 2, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inside the image store");
        assertThatThrownBy(() -> store.importFile(tmp.resolve("missing"), "win11", 2, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a regular file");
    }

    @Test
    void aSymlinkedImageDirectoryPointingOutsideIsNeitherServedNorWrittenThrough() throws IOException {
        LocalImageStore store = store();
        // A complete-looking version outside the store...
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        LocalImageStore other = new LocalImageStore(outside);
        SyntheticImages.importInto(other, new ImageRef("evil", 1), 1000, 1, 0, null);
        // ...reached through a link inside it.
        Files.createSymbolicLink(store.root().resolve("evil"), outside.resolve("evil"));
        ImageRef evil1 = new ImageRef("evil", 1);

        assertThat(store.has(evil1)).isFalse();
        assertThat(store.manifest(evil1)).isEmpty();
        assertThat(store.list()).isEmpty();
        assertThatThrownBy(() -> store.diskPath(evil1)).isInstanceOf(ImageNotFoundException.class);
        assertThat(new ImageServer(store).serve(evil1, null).status()).isEqualTo(404);

        assertThatThrownBy(() -> store.importFile(sourceFile("src", 10, 1), "evil", 2, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("symbolic link");
        assertThat(outside.resolve("evil/2")).doesNotExist();
        store.delete(evil1);
        assertThat(other.has(evil1)).isTrue();
    }

    @Test
    void aSymlinkedDiskPointingOutsideIsNotServed() throws IOException {
        LocalImageStore store = store();
        SyntheticImages.importInto(store, WIN11_1, 1000, 1, 0, null);
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "not for peers");
        Path disk = store.root().resolve("win11/1/disk.qcow2");
        Files.delete(disk);
        Files.createSymbolicLink(disk, secret);

        assertThat(store.has(WIN11_1)).isFalse();
        Served s = new ImageServer(store).serve(WIN11_1, null);
        assertThat(s.status()).isEqualTo(404);
        assertThat(s.message()).doesNotContain("not for peers");
    }

    @Test
    void aSymlinkedPartialFileIsReplacedNotWrittenThrough() throws IOException {
        LocalImageStore store = store();
        Path victim = Files.writeString(tmp.resolve("victim.txt"), "precious");
        Files.createSymbolicLink(store.root().resolve(".staging/win11@1.part"), victim);

        try (StagedTransfer t = store.stage(WIN11_1, 5, SyntheticImages.sha256(WIN11_1, 5, 0))) {
            assertThat(t.bytesPresent()).isZero();
            try (OutputStream out = t.append(); InputStream in = SyntheticImages.open(WIN11_1, 5, 0)) {
                in.transferTo(out);
            }
            t.complete();
        }
        assertThat(Files.readString(victim)).isEqualTo("precious");
        assertThat(store.has(WIN11_1)).isTrue();
    }

    @Test
    void aStagedTransferResumesAfterARestartAndPublishesAtomically() throws Exception {
        long size = 2 * 1024 * 1024 + 3;
        String sha = SyntheticImages.sha256(WIN11_1, size, 9);
        try (InputStream in = SyntheticImages.open(WIN11_1, size, 9)) {
            try (StagedTransfer t = store().stage(WIN11_1, size, sha)) {
                try (OutputStream out = t.append()) {
                    out.write(in.readNBytes(1_000_000));
                }
                assertThat(t.bytesPresent()).isEqualTo(1_000_000);
            }
            // a new store over the same directory: the node restarted
            LocalImageStore restarted = store();
            assertThat(restarted.has(WIN11_1)).isFalse();
            try (StagedTransfer t = restarted.stage(WIN11_1, size, sha)) {
                assertThat(t.bytesPresent()).isEqualTo(1_000_000);
                try (OutputStream out = t.append()) {
                    in.transferTo(out);
                }
                ImageManifest m = t.complete();
                assertThat(m.sha256()).isEqualTo(sha);
                assertThat(m.sizeBytes()).isEqualTo(size);
            }
            assertThat(sha256Of(restarted.diskPath(WIN11_1))).isEqualTo(sha);
            assertThat(stagingFiles(restarted)).isEmpty();
        }
    }

    @Test
    void aStagedTransferWithOtherExpectationsStartsEmpty() throws IOException {
        LocalImageStore store = store();
        try (StagedTransfer t = store.stage(WIN11_1, 100, "a".repeat(64))) {
            try (OutputStream out = t.append()) {
                out.write(new byte[40]);
            }
        }
        try (StagedTransfer t = store.stage(WIN11_1, 100, "b".repeat(64))) {
            assertThat(t.bytesPresent()).isZero();
        }
    }

    @Test
    void completingWithTheWrongChecksumDeletesThePartialAndNamesBothChecksums() throws IOException {
        LocalImageStore store = store();
        String wrong = "ab".repeat(32);
        String actual = SyntheticImages.sha256(WIN11_1, 4096, 1);
        try (StagedTransfer t = store.stage(WIN11_1, 4096, wrong)) {
            try (OutputStream out = t.append(); InputStream in = SyntheticImages.open(WIN11_1, 4096, 1)) {
                in.transferTo(out);
            }
            assertThatThrownBy(t::complete).isInstanceOf(ImageIntegrityException.class)
                    .hasMessageContaining("expected 4096 bytes with sha256 " + wrong)
                    .hasMessageContaining("got 4096 bytes with sha256 " + actual)
                    .hasMessageContaining("partial copy was deleted");
        }
        assertThat(store.has(WIN11_1)).isFalse();
        assertThat(stagingFiles(store)).isEmpty();
    }

    @Test
    void completingShortDeletesThePartial() throws IOException {
        LocalImageStore store = store();
        try (StagedTransfer t = store.stage(WIN11_1, 4096, SyntheticImages.sha256(WIN11_1, 4096, 1))) {
            try (OutputStream out = t.append(); InputStream in = SyntheticImages.open(WIN11_1, 4000, 1)) {
                in.transferTo(out);
            }
            assertThatThrownBy(t::complete).isInstanceOf(ImageIntegrityException.class)
                    .satisfies(e -> assertThat(((ImageIntegrityException) e).actualSize()).isEqualTo(4000));
        }
        assertThat(stagingFiles(store)).isEmpty();
    }

    @Test
    void writingPastTheExpectedSizeIsAnIntegrityError() {
        LocalImageStore store = store();
        try (StagedTransfer t = store.stage(WIN11_1, 10, "c".repeat(64))) {
            OutputStream out = t.append();
            assertThatThrownBy(() -> out.write(new byte[11])).isInstanceOf(ImageIntegrityException.class)
                    .hasMessageContaining("more than 11 bytes");
            assertThat(t.bytesPresent()).isZero();
        }
    }

    @Test
    void onlyOneTransferOfAVersionAtATimeAndNotOfALandedOne() throws IOException {
        LocalImageStore store = store();
        try (StagedTransfer t = store.stage(WIN11_1, 10, "c".repeat(64))) {
            assertThat(t.ref()).isEqualTo(WIN11_1);
            assertThatThrownBy(() -> store.stage(WIN11_1, 10, "c".repeat(64)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("already in progress");
        }
        store.stage(WIN11_1, 10, "c".repeat(64)).close(); // released by close

        store.importFile(sourceFile("a", 10, 1), "win11", 1, 0);
        assertThatThrownBy(() -> store.stage(WIN11_1, 10, "c".repeat(64)))
                .isInstanceOf(ImageAlreadyExistsException.class);
    }

    @Test
    void leftoverWorkDirectoriesAreRemovedAtStart() throws IOException {
        LocalImageStore store = store();
        Path leftover = Files.createDirectories(store.root().resolve(".staging/work-crashed/x"));
        Files.writeString(leftover.resolve("disk.qcow2"), "half");

        store();

        assertThat(store.root().resolve(".staging/work-crashed")).doesNotExist();
    }

    private static List<Path> stagingFiles(LocalImageStore store) throws IOException {
        try (var s = Files.list(store.root().resolve(".staging"))) {
            return s.toList();
        }
    }

    private static List<Path> workDirectories(LocalImageStore store) throws IOException {
        try (var s = Files.list(store.root().resolve(".staging"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("work-")).toList();
        }
    }
}
