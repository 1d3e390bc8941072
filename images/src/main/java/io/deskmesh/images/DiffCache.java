package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The block differences a store serves, each computed once and kept under
 * {@code .staging/diffs/<image>@<version>-from-<base>.dmdiff} until either version is deleted.
 * Versions never change, so a kept difference never goes stale. Thread-safe: concurrent requests
 * for one difference compute it once.
 */
final class DiffCache {
    static final String DIRECTORY = "diffs";
    private static final Logger log = LoggerFactory.getLogger(DiffCache.class);

    private final LocalImageStore store;
    private final Path dir;
    private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

    DiffCache(LocalImageStore store, Path dir) throws IOException {
        this.store = store;
        this.dir = dir;
        if (FileOps.isRealDirectory(dir)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.tmp-*")) {
                for (Path p : s) {
                    Files.deleteIfExists(p); // a computation a crash interrupted
                }
            }
        }
    }

    Optional<Path> difference(ImageRef target, int baseVersion) {
        ImageNames.requireValid(target);
        if (baseVersion < 1 || baseVersion >= target.version()) {
            throw new IllegalArgumentException("a difference of " + target + " needs an earlier base version, not "
                    + baseVersion);
        }
        ImageRef base = new ImageRef(target.image(), baseVersion);
        if (!store.has(target) || !store.has(base)) {
            return Optional.empty();
        }
        String name = target.image() + "@" + target.version() + "-from-" + baseVersion + ".dmdiff";
        Path file = dir.resolve(name);
        synchronized (locks.computeIfAbsent(name, k -> new Object())) {
            if (FileOps.isRealFile(file)) {
                return Optional.of(file);
            }
            Path tmp = dir.resolve(name + ".tmp-" + UUID.randomUUID());
            try {
                Files.createDirectories(dir); // only on a node that serves differences
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
            }
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, FileOps.NOFOLLOW), 1 << 20)) {
                long bytes = BlockDiff.write(store.diskPath(base), store.diskPath(target), out);
                log.info("computed the difference of {} against version {}: {} bytes", target, baseVersion, bytes);
            } catch (IOException e) {
                FileOps.deleteTreeQuietly(tmp);
                throw new UncheckedIOException("cannot compute the difference of " + target + " against version "
                        + baseVersion + ": " + e.getMessage(), e);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                FileOps.deleteTreeQuietly(tmp);
                throw new UncheckedIOException("cannot keep the difference " + file + ": " + e.getMessage(), e);
            }
            return Optional.of(file);
        }
    }

    /** Deletes every kept difference from or to this version. */
    void forget(ImageRef ref) {
        if (!FileOps.isRealDirectory(dir)) {
            return;
        }
        String prefix = ref.image() + "@";
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.dmdiff")) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                if (!n.startsWith(prefix)) {
                    continue;
                }
                String[] versions = n.substring(prefix.length(), n.length() - ".dmdiff".length()).split("-from-");
                if (versions.length == 2 && (versions[0].equals(Integer.toString(ref.version()))
                        || versions[1].equals(Integer.toString(ref.version())))) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            log.warn("could not delete the differences of {}: {}", ref, e.getMessage());
        }
    }
}
