package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Admin uploads into the store: size, checksum and format are checked with real qemu-img before anything lands. */
class UploadImportTest {
    private static final ImageRef REF = new ImageRef("office", 3);

    @TempDir
    Path tmp;
    private LocalImageStore store;
    private Path qcow2;

    @BeforeEach
    void setUp() throws IOException {
        store = new LocalImageStore(tmp.resolve("store"));
        qcow2 = Qcow2Disks.create(tmp, "disk", 2L << 20, 5);
    }

    private ImageManifest upload(Path file, long size, String sha, DiskFormat format) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return store.importUpload(in, REF, 2, "office", size, sha, format);
        }
    }

    private void assertNothingLanded() throws IOException {
        assertThat(store.has(REF)).isFalse();
        try (var s = Files.list(store.root().resolve(".staging"))) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void aQcow2UploadLandsWithItsTemplateParentAndChecksum() throws IOException {
        String sha = Sha256.ofFile(qcow2);

        ImageManifest m = upload(qcow2, Files.size(qcow2), sha, DiskFormat.QCOW2);

        assertThat(m.sha256()).isEqualTo(sha);
        assertThat(m.parentVersion()).isEqualTo(2);
        assertThat(m.template()).isEqualTo("office");
        assertThat(Files.mismatch(store.diskPath(REF), qcow2)).isEqualTo(-1L);
    }

    @Test
    void aShortBodyIsRefusedAndNothingLands() throws IOException {
        long size = Files.size(qcow2);

        assertThatThrownBy(() -> store.importUpload(new ByteArrayInputStream(Files.readAllBytes(qcow2), 0,
                (int) size - 10), REF, 2, null, size, Sha256.ofFile(qcow2), DiskFormat.QCOW2))
                .isInstanceOf(ImageIntegrityException.class)
                .hasMessageContaining("expected " + size + " bytes").hasMessageContaining("got " + (size - 10));
        assertNothingLanded();
    }

    @Test
    void aWrongChecksumIsRefused() throws IOException {
        assertThatThrownBy(() -> upload(qcow2, Files.size(qcow2), "ab".repeat(32), DiskFormat.QCOW2))
                .isInstanceOf(ImageIntegrityException.class).hasMessageContaining("ab".repeat(32));
        assertNothingLanded();
    }

    @Test
    void aFileThatIsNotQcow2IsRefusedFromItsFirstBytes() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.txt"), "hello, this is not a disk\n".repeat(100));

        assertThatThrownBy(() -> upload(text, Files.size(text), Sha256.ofFile(text), DiskFormat.QCOW2))
                .isInstanceOf(ImageFormatException.class).hasMessageContaining("not a qcow2 disk")
                .hasMessageContaining("qemu-img convert");
        assertNothingLanded();
    }

    @Test
    void aQcow2OverlayWithABackingFileIsRefused() throws IOException {
        Path overlay = tmp.resolve("overlay.qcow2");
        DiskFormat.run(List.of(DiskFormat.qemuImg(), "create", "-q", "-f", "qcow2", "-b", qcow2.toString(), "-F",
                "qcow2", overlay.toString()), 60, "making an overlay");

        assertThatThrownBy(() -> upload(overlay, Files.size(overlay), Sha256.ofFile(overlay), DiskFormat.QCOW2))
                .isInstanceOfSatisfying(ImageFormatException.class, e -> assertThat(e.toolMissing()).isFalse())
                .hasMessageContaining("overlay")
                .hasMessageContaining(qcow2.toString());
        assertNothingLanded();
    }

    @Test
    void aRawDiskIsConvertedToQcow2() throws IOException {
        Path raw = tmp.resolve("disk.raw");
        Files.write(raw, new byte[3 << 20]);

        ImageManifest m = upload(raw, Files.size(raw), Sha256.ofFile(raw), DiskFormat.RAW);

        assertThat(DiskFormat.hasQcow2Magic(Files.readAllBytes(store.diskPath(REF)))).isTrue();
        assertThat(DiskFormat.virtualSize(store.diskPath(REF), DiskFormat.QCOW2)).isEqualTo(3L << 20);
        assertThat(m.sha256()).isEqualTo(Sha256.ofFile(store.diskPath(REF))).isNotEqualTo(Sha256.ofFile(raw));
    }

    @Test
    void aMissingQemuImgIsTheNodesFaultAndSaysWhatToInstall() throws IOException {
        String before = System.getProperty("deskmesh.qemu-img");
        System.setProperty("deskmesh.qemu-img", tmp.resolve("no-such-qemu-img").toString());
        try {
            assertThatThrownBy(() -> upload(qcow2, Files.size(qcow2), Sha256.ofFile(qcow2), DiskFormat.QCOW2))
                    .isInstanceOfSatisfying(ImageFormatException.class, e -> assertThat(e.toolMissing()).isTrue())
                    .hasMessageContaining("apt-get install qemu-utils");
        } finally {
            if (before == null) {
                System.clearProperty("deskmesh.qemu-img");
            } else {
                System.setProperty("deskmesh.qemu-img", before);
            }
        }
        assertNothingLanded();
    }

    @Test
    void anAlreadyLandedVersionIsRefused() throws IOException {
        upload(qcow2, Files.size(qcow2), Sha256.ofFile(qcow2), DiskFormat.QCOW2);

        assertThatThrownBy(() -> upload(qcow2, Files.size(qcow2), Sha256.ofFile(qcow2), DiskFormat.QCOW2))
                .isInstanceOf(ImageAlreadyExistsException.class);
    }
}
