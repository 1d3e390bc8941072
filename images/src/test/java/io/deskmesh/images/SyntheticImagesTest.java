package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;

class SyntheticImagesTest {
    private static final ImageRef DEMO = new ImageRef("demo-desktop", 1);

    @TempDir
    Path tmp;

    private static byte[] bytes(ImageRef ref, long size, long seed) throws IOException {
        try (InputStream in = SyntheticImages.open(ref, size, seed)) {
            return in.readAllBytes();
        }
    }

    @Test
    void theSameInputsGiveTheSameBytesOnEveryNode() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        SyntheticImages.write(a, DEMO, 5_000_003, 42);
        SyntheticImages.write(b, DEMO, 5_000_003, 42);

        assertThat(Files.size(a)).isEqualTo(5_000_003);
        assertThat(Files.mismatch(a, b)).isEqualTo(-1L);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(a)));
        assertThat(SyntheticImages.sha256(DEMO, 5_000_003, 42)).isEqualTo(sha);
        ImageManifest m = SyntheticImages.importInto(new LocalImageStore(tmp.resolve("store")), DEMO, 5_000_003, 42, 0, "demo");
        assertThat(m.sha256()).isEqualTo(sha);
    }

    @Test
    void theBytesArePinnedSoAChangeToTheGeneratorIsNoticed() {
        // Nodes on different builds must agree: this value may never change. It was cross-checked
        // against an independent SplitMix64 written in Python.
        assertThat(SyntheticImages.sha256(DEMO, 4096, 42))
                .isEqualTo("78b548081b9c609b2b36a2785189384596ff5589f89b5ff9cc16f72b3dbe47cf");
    }

    @Test
    void nameVersionAndSeedEachChangeTheBytes() throws IOException {
        byte[] base = bytes(DEMO, 4096, 42);

        assertThat(bytes(new ImageRef("demo-desktop", 2), 4096, 42)).isNotEqualTo(base);
        assertThat(bytes(new ImageRef("demo-desktop2", 1), 4096, 42)).isNotEqualTo(base);
        assertThat(bytes(DEMO, 4096, 43)).isNotEqualTo(base);
    }

    @Test
    void aShorterImageIsAPrefixAndReadSizesDoNotMatter() throws IOException {
        byte[] longer = bytes(DEMO, 200_000, 7);
        byte[] shorter = bytes(DEMO, 70_001, 7);
        assertThat(shorter).isEqualTo(Arrays.copyOf(longer, 70_001));

        ByteArrayOutputStream odd = new ByteArrayOutputStream();
        try (InputStream in = SyntheticImages.open(DEMO, 200_000, 7)) {
            byte[] buf = new byte[777];
            int b;
            while ((b = in.read()) != -1) { // single bytes, then odd-sized reads
                odd.write(b);
                int n = in.read(buf);
                if (n > 0) {
                    odd.write(buf, 0, n);
                }
            }
        }
        assertThat(odd.toByteArray()).isEqualTo(longer);
    }

    @Test
    void theBytesLookRandom() throws IOException {
        byte[] b = bytes(DEMO, 1 << 20, 1);
        int[] counts = new int[256];
        for (byte x : b) {
            counts[x & 0xff]++;
        }
        // Every byte value appears close to 4096 times; a stuck or short-period generator would not.
        assertThat(Arrays.stream(counts).min().orElseThrow()).isGreaterThan(3600);
        assertThat(Arrays.stream(counts).max().orElseThrow()).isLessThan(4600);
    }
}
