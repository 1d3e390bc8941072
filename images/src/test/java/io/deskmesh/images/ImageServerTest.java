package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class ImageServerTest {
    private static final ImageRef REF = new ImageRef("win11", 3);
    private static final int SIZE = 1_000_000;

    @TempDir
    Path tmp;
    private LocalImageStore store;
    private ImageServer server;
    private ImageManifest manifest;
    private byte[] disk;

    @BeforeEach
    void setUp() throws IOException {
        store = new LocalImageStore(tmp);
        manifest = SyntheticImages.importInto(store, REF, SIZE, 5, 2, null);
        disk = Files.readAllBytes(store.diskPath(REF));
        server = new ImageServer(store);
    }

    private static byte[] body(Served s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(s.transferTo(out)).isEqualTo(s.contentLength());
        return out.toByteArray();
    }

    @Test
    void withoutARangeTheWholeDiskIsServedWithItsChecksum() throws IOException {
        Served s = server.serve(REF, null);

        assertThat(s.status()).isEqualTo(200);
        assertThat(s.contentLength()).isEqualTo(SIZE);
        assertThat(s.contentRange()).isEmpty();
        assertThat(s.sha256()).contains(manifest.sha256());
        assertThat(s.headers()).containsEntry(ImageProtocol.SHA256_HEADER, manifest.sha256())
                .containsEntry(ImageProtocol.SIZE_HEADER, "1000000")
                .containsEntry(ImageProtocol.PARENT_HEADER, "2")
                .containsEntry("Accept-Ranges", "bytes")
                .containsEntry("Content-Type", "application/octet-stream")
                .doesNotContainKey("Content-Range");
        assertThat(body(s)).isEqualTo(disk);
        assertThat(body(s)).isEqualTo(disk); // repeatable
    }

    @ParameterizedTest
    @CsvSource({
            "'bytes=400000-',          400000, 999999",
            "'bytes=0-0',              0,      0",
            "'bytes=10-19',            10,     19",
            "'bytes=999990-2000000',   999990, 999999",
            "'bytes=-100',             999900, 999999",
            "' bytes = 5 - 9 ',        5,      9",
            "'bytes=999999-',          999999, 999999",
    })
    void oneRangeIsServedAsPartialContent(String range, long start, long end) throws IOException {
        Served s = server.serve(REF, range);

        assertThat(s.status()).isEqualTo(206);
        assertThat(s.contentLength()).isEqualTo(end - start + 1);
        assertThat(s.contentRange()).contains("bytes " + start + "-" + end + "/" + SIZE);
        assertThat(s.headers()).containsEntry("Content-Range", "bytes " + start + "-" + end + "/" + SIZE);
        assertThat(s.sha256()).contains(manifest.sha256()); // of the whole disk, not the range
        assertThat(body(s)).isEqualTo(Arrays.copyOfRange(disk, (int) start, (int) end + 1));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "bytes=1000000-       | starts at byte 1000000 but the image has only 1000000 bytes",
            "bytes=0-1,5-6        | multiple ranges",
            "bytes=abc            | malformed range",
            "bytes=-              | malformed range",
            "bytes=9-3            | ends before it starts",
            "items=0-1            | only 'bytes=' ranges",
            "bytes=-0             | selects no bytes",
            "bytes=99999999999999999999- | malformed range",
    })
    void unsatisfiableOrUnsupportedRangesAre416WithTheReason(String range, String reason) throws IOException {
        Served s = server.serve(REF, range);

        assertThat(s.status()).isEqualTo(416);
        assertThat(s.contentRange()).contains("bytes */" + SIZE);
        assertThat(s.message()).contains(reason);
        assertThat(s.sha256()).isEmpty();
        assertThat(new String(body(s), StandardCharsets.UTF_8)).isEqualTo(s.message() + "\n");
        assertThat(s.headers()).containsEntry("Content-Type", "text/plain; charset=utf-8");
    }

    @Test
    void multipleRangesAreRefusedWithAMessageSayingWhatToDo() {
        assertThat(server.serve(REF, "bytes=0-1, 3-4").message())
                .contains("are not supported").contains("request one range");
    }

    @Test
    void anUnknownVersionIs404() throws IOException {
        Served s = server.serve(new ImageRef("win11", 4), null);

        assertThat(s.status()).isEqualTo(404);
        assertThat(s.message()).isEqualTo("base image win11@4 is not on this node");
        assertThat(new String(body(s), StandardCharsets.UTF_8)).contains("win11@4");
        assertThat(server.serve(new ImageRef("other", 1), "bytes=0-").status()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "%2e%2e", "a%2fb", "WIN11", ".staging"})
    void badNamesFromTheUrlAre400(String image) {
        Served s = server.serve(image, "3", null);

        assertThat(s.status()).isEqualTo(400);
        assertThat(s.message()).contains("invalid base image name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "x", "", "1e3", "99999999999"})
    void badVersionsFromTheUrlAre400(String version) {
        assertThat(server.serve("win11", version, null).status()).isEqualTo(400);
    }

    @Test
    void pathSegmentsParseToTheSameAnswer() throws IOException {
        Served s = server.serve("win11", "3", "bytes=10-");

        assertThat(s.status()).isEqualTo(206);
        assertThat(body(s)).isEqualTo(Arrays.copyOfRange(disk, 10, SIZE));
    }

    @Test
    void anEmptyImageIsServedWhole() throws IOException {
        ImageRef empty = new ImageRef("empty", 1);
        SyntheticImages.importInto(store, empty, 0, 1, 0, null);

        Served s = server.serve(empty, null);
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.contentLength()).isZero();
        assertThat(body(s)).isEmpty();
        assertThat(server.serve(empty, "bytes=0-").status()).isEqualTo(416);
    }

    @Test
    void aDiskShorterThanItsManifestFailsTheTransferInsteadOfSendingShortData() throws IOException {
        Served s = server.serve(REF, "bytes=500000-");
        try (var ch = java.nio.channels.FileChannel.open(store.diskPath(REF), java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(600_000);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.transferTo(new ByteArrayOutputStream()))
                .isInstanceOf(IOException.class).hasMessageContaining("ends at byte 600000");
    }
}
