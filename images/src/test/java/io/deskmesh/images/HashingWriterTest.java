package io.deskmesh.images;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Writing in chunks while another thread hashes them yields the file's own SHA-256. */
class HashingWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesOfEverySizeLandInOrderAndTheDigestIsTheFilesSha256() throws IOException {
        writeRandomly(HashingWriter.SYNC_EVERY);
    }

    @Test
    void writeBacksWhileWritingChangeNothingInTheFile() throws IOException {
        writeRandomly(100_000);
    }

    private void writeRandomly(long syncEvery) throws IOException {
        long seed = new Random().nextLong();
        Random r = new Random(seed);
        byte[] data = new byte[3 * HashingWriter.CHUNK + 12_345];
        r.nextBytes(data);
        Path file = dir.resolve("f");
        MessageDigest digest = Sha256.newDigest();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            HashingWriter w = new HashingWriter(ch, digest, data.length, "test", syncEvery);
            int at = 0;
            while (at < data.length) {
                int n = Math.min(data.length - at, r.nextInt(2) == 0 ? r.nextInt(100) : r.nextInt(3 * HashingWriter.CHUNK));
                w.write(data, at, n);
                at += n;
                if (r.nextInt(10) == 0) {
                    w.flush();
                    assertThat(Files.size(file)).as("seed %d", seed).isEqualTo(at);
                }
            }
            w.close();
            assertThat(w.hashed()).as("seed %d", seed).isEqualTo(data.length);
        }
        assertThat(Files.readAllBytes(file)).as("seed %d", seed).isEqualTo(data);
        assertThat(Sha256.hex(digest)).as("seed %d", seed).isEqualTo(Sha256.ofFile(file));
    }

    @Test
    void aFailedWriteHashesNothingTheFileDoesNotHold() throws IOException {
        Path file = dir.resolve("f");
        Files.write(file, new byte[0]);
        MessageDigest digest = Sha256.newDigest();
        FileChannel readOnly = FileChannel.open(file, StandardOpenOption.READ);
        HashingWriter w = new HashingWriter(readOnly, digest, 10, "test");
        w.write(new byte[]{1, 2, 3}, 0, 3);
        org.assertj.core.api.Assertions.assertThatThrownBy(w::flush).isInstanceOf(java.nio.channels.NonWritableChannelException.class);
        w.close();
        readOnly.close();
        assertThat(w.hashed()).isZero();
        assertThat(Sha256.hex(digest)).isEqualTo(Sha256.ofFile(file));
    }
}
