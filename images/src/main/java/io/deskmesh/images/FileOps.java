package io.deskmesh.images;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/** File system helpers that never follow symbolic links. Stateless and thread-safe. */
final class FileOps {
    static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

    private FileOps() {
    }

    /** A directory that is not a symbolic link. */
    static boolean isRealDirectory(Path p) {
        return Files.isDirectory(p, NOFOLLOW);
    }

    /** A regular file that is not a symbolic link. */
    static boolean isRealFile(Path p) {
        return Files.isRegularFile(p, NOFOLLOW);
    }

    /** Deletes a tree; symbolic links inside are removed, never followed. Absent is fine. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, NOFOLLOW)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void deleteTreeQuietly(Path root) {
        try {
            deleteTree(root);
        } catch (IOException ignored) {
            // Best effort: leftovers under .staging are removed at the next start.
        }
    }

    /** Flushes a file's content to the device. */
    static void fsync(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, NOFOLLOW)) {
            ch.force(true);
        }
    }

    /** Flushes a directory's entries (renames) to the device where the platform allows it. */
    static void fsyncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Not every platform can open a directory; the rename itself is still atomic.
        }
    }

    /** Copies to the end of {@code in} with a large buffer; returns the byte count. */
    static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = in.read(buf)) != -1) {
            out.write(buf, 0, n);
            total += n;
        }
        return total;
    }
}
