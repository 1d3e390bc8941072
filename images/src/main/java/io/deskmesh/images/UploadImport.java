package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * One admin upload into a {@link LocalImageStore} ({@link ImageStore#importUpload}): the body goes
 * to a work directory while it is hashed, and is published only once its size, checksum and format
 * are right. The format is checked twice: the qcow2 magic in the first bytes (so a wrong file is
 * refused before gigabytes are read), then {@code qemu-img info} on the whole file. Used once, by
 * one thread.
 */
final class UploadImport {
    private static final Logger log = LoggerFactory.getLogger(UploadImport.class);
    private static final String UPLOAD = "upload";

    private final LocalImageStore store;
    private final ImageRef ref;
    private final int parentVersion;
    private final String template;
    private final long expectedSize;
    private final String expectedSha256;
    private final DiskFormat format;

    UploadImport(LocalImageStore store, ImageRef ref, int parentVersion, String template, long expectedSize,
                 String expectedSha256, DiskFormat format) {
        if (expectedSize < 1) {
            throw new IllegalArgumentException("the disk of " + ref + " must have at least 1 byte, was " + expectedSize);
        }
        this.store = store;
        this.ref = ref;
        this.parentVersion = parentVersion;
        this.template = template;
        this.expectedSize = expectedSize;
        this.expectedSha256 = Sha256.requireHex(expectedSha256);
        this.format = format;
    }

    ImageManifest receive(InputStream body) {
        store.checkImportable(ref, parentVersion);
        Path work = store.newWorkDirectory();
        try {
            Path upload = work.resolve(UPLOAD);
            String sha = copyChecked(body, upload);
            Path disk = work.resolve(LocalImageStore.DISK);
            String what = "the upload of " + ref;
            if (format == DiskFormat.QCOW2) {
                DiskFormat.checkQcow2(upload, what);
                Files.move(upload, disk, StandardCopyOption.ATOMIC_MOVE);
            } else {
                DiskFormat.convertRawToQcow2(upload, disk, what);
                Files.delete(upload);
                DiskFormat.checkQcow2(disk, "the qcow2 converted from " + what);
                sha = Sha256.ofFile(disk);
            }
            ImageManifest m = new ImageManifest(ref.image(), ref.version(), Files.size(disk), sha, parentVersion,
                    template, store.now());
            store.publish(work, m);
            log.info("imported uploaded base image {} ({} bytes as {}, stored {} bytes, sha256 {})", ref, expectedSize,
                    format.lowerName(), m.sizeBytes(), m.sha256());
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot import " + ref + " into " + store.root() + ": " + e.getMessage(), e);
        } finally {
            FileOps.deleteTreeQuietly(work);
        }
    }

    /** Copies exactly the expected bytes, checking the qcow2 magic first; returns their SHA-256. */
    private String copyChecked(InputStream body, Path upload) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        long size;
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(upload, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, FileOps.NOFOLLOW), digest)) {
            byte[] head = body.readNBytes((int) Math.min(DiskFormat.QCOW2_MAGIC.length, expectedSize));
            if (format == DiskFormat.QCOW2 && !DiskFormat.hasQcow2Magic(head)) {
                throw new ImageFormatException("the upload of " + ref + " is not a qcow2 disk (its first bytes are not"
                        + " the qcow2 magic 'QFI\\xfb'); for a raw disk use format raw, convert others with"
                        + " 'qemu-img convert -O qcow2 IN OUT'");
            }
            out.write(head);
            // One byte more than announced is read, so a longer body is noticed, not truncated.
            size = head.length + FileOps.copy(new BoundedInputStream(body, expectedSize - head.length + 1), out);
        }
        String sha = Sha256.hex(digest);
        if (size != expectedSize || !sha.equals(expectedSha256)) {
            throw new ImageIntegrityException(ref, expectedSize, size, expectedSha256, size > expectedSize ? null : sha);
        }
        return sha;
    }
}
