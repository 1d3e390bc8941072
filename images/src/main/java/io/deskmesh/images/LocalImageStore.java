package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link ImageStore} over one local directory. Thread-safe.
 *
 * <pre>
 * &lt;root&gt;/&lt;image&gt;/&lt;version&gt;/disk.qcow2       landed disk, never changed
 * &lt;root&gt;/&lt;image&gt;/&lt;version&gt;/manifest.json    its manifest
 * &lt;root&gt;/&lt;image&gt;/&lt;version&gt;/local/           this server's descriptors of it (the {@link LandingHook}'s)
 * &lt;root&gt;/.staging/&lt;image&gt;@&lt;version&gt;.part      partial incoming transfer (kept across restarts)
 * &lt;root&gt;/.staging/&lt;image&gt;@&lt;version&gt;.expect    what that partial file must become
 * &lt;root&gt;/.staging/work-&lt;uuid&gt;/                 a version being assembled or deleted
 * </pre>
 *
 * <p>A version is assembled in a {@code work-} directory on the same file system and published
 * by one atomic rename of the whole directory, so a version directory exists only when complete.
 * Deletion renames it back under {@code .staging} before removing it. Leftover {@code work-}
 * directories are removed at start.
 *
 * <p>Every version that lands is handed to the store's {@link LandingHook} once published; if the
 * hook refuses it, the version is deleted again and the caller gets an
 * {@link ImageCustomizationException}.
 *
 * <p>Safety: names are validated by {@link ImageNames} and every path is checked to stay inside
 * the root; symbolic links anywhere below the root are never followed — a version reached
 * through one is treated as absent and is neither served nor written through.
 */
public final class LocalImageStore implements ImageStore {
    static final String DISK = "disk.qcow2";
    static final String MANIFEST = "manifest.json";
    static final String STAGING = ".staging";
    static final String LOCAL = "local";
    private static final Logger log = LoggerFactory.getLogger(LocalImageStore.class);

    private final Path root;
    private final Path staging;
    private final Clock clock;
    /** Guards the check-then-rename of publishing and deleting. */
    private final Object publishLock = new Object();
    /** Refs with an open {@link StagedTransfer}. */
    private final Set<ImageRef> claimed = ConcurrentHashMap.newKeySet();
    private final DiffCache diffs;
    private final LandingHook hook;

    /** A store at {@code root}, created if missing, stamping imports with the system clock. */
    public LocalImageStore(Path root) {
        this(root, Clock.systemUTC());
    }

    public LocalImageStore(Path root, Clock clock) {
        this(root, clock, LandingHook.NONE);
    }

    /** A store whose landed versions are customised for this server by {@code hook}. */
    public LocalImageStore(Path root, Clock clock, LandingHook hook) {
        this.clock = clock;
        this.hook = java.util.Objects.requireNonNull(hook, "hook");
        try {
            Files.createDirectories(root);
            this.root = root.toRealPath();
            this.staging = this.root.resolve(STAGING);
            if (Files.isSymbolicLink(staging)) {
                throw new IllegalArgumentException("image store " + this.root + " has a symbolic link as "
                        + STAGING + "; remove it, the store never writes through links");
            }
            Files.createDirectories(staging);
            removeLeftoverWorkDirectories();
            this.diffs = new DiffCache(this, staging.resolve(DiffCache.DIRECTORY));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open image store at " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long usableSpace() {
        try {
            return Files.getFileStore(root).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the free space of " + root + ": " + e.getMessage(), e);
        }
    }

    /** The store's directory (its real path). */
    public Path root() {
        return root;
    }

    @Override
    public boolean has(ImageRef ref) {
        return landedDirectory(ref).isPresent();
    }

    @Override
    public Optional<ImageManifest> manifest(ImageRef ref) {
        Optional<Path> dir = landedDirectory(ref);
        if (dir.isEmpty()) {
            return Optional.empty();
        }
        Path file = dir.get().resolve(MANIFEST);
        try (InputStream in = Files.newInputStream(file, FileOps.NOFOLLOW)) {
            ImageManifest m = ManifestCodec.read(in.readAllBytes(), file.toString());
            if (!m.ref().equals(ref)) {
                throw new IOException("manifest " + file + " describes " + m.ref() + ", not " + ref);
            }
            return Optional.of(m);
        } catch (NoSuchFileException e) {
            return Optional.empty(); // deleted meanwhile
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifest of " + ref + ": " + e.getMessage()
                    + "; delete " + dir.get() + " and fetch the version again", e);
        }
    }

    @Override
    public Path diskPath(ImageRef ref) {
        return landedDirectory(ref).map(d -> d.resolve(DISK))
                .orElseThrow(() -> new ImageNotFoundException(ref, root.toString()));
    }

    @Override
    public ImageManifest importFile(Path source, ImageRef ref, int parentVersion, String template) {
        checkImportable(ref, parentVersion);
        Path absolute = source.toAbsolutePath().normalize();
        if (absolute.startsWith(root)) {
            throw new IllegalArgumentException("cannot import " + source + ": it lies inside the image store "
                    + root + "; import from a file outside the store");
        }
        if (!Files.isRegularFile(absolute)) {
            throw new IllegalArgumentException("cannot import " + source + " as " + ref + ": not a regular file");
        }
        try (InputStream in = Files.newInputStream(absolute)) {
            return importStream(in, ref, parentVersion, template);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source + " to import it as " + ref + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public ImageManifest importStream(InputStream source, ImageRef ref, int parentVersion, String template) {
        checkImportable(ref, parentVersion);
        Path work = newWorkDirectory();
        try {
            Path disk = work.resolve(DISK);
            MessageDigest digest = Sha256.newDigest();
            long size;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(disk,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, FileOps.NOFOLLOW), digest)) {
                size = FileOps.copy(source, out);
            }
            ImageManifest m = new ImageManifest(ref.image(), ref.version(), size, Sha256.hex(digest),
                    parentVersion, template, clock.instant());
            publish(work, m);
            log.info("imported base image {} ({} bytes, sha256 {})", ref, size, m.sha256());
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot import " + ref + " into " + root + ": " + e.getMessage(), e);
        } finally {
            FileOps.deleteTreeQuietly(work);
        }
    }

    @Override
    public ImageManifest importUpload(InputStream source, ImageRef ref, int parentVersion, String template,
                                      long expectedSize, String expectedSha256, DiskFormat format) {
        return new UploadImport(this, ref, parentVersion, template, expectedSize, expectedSha256, format)
                .receive(source);
    }

    @Override
    public Optional<Path> difference(ImageRef target, int baseVersion) {
        return diffs.difference(target, baseVersion);
    }

    Instant now() {
        return clock.instant();
    }

    @Override
    public void delete(ImageRef ref) {
        diffs.forget(ref);
        ImageNames.requireValid(ref);
        if (has(ref)) {
            try {
                hook.removing(ref);
            } catch (RuntimeException e) {
                log.warn("deleting {} although this server could not undo its customisation: {}", ref, e.getMessage());
            }
        }
        Path trash = staging.resolve("work-" + UUID.randomUUID());
        synchronized (publishLock) {
            Path dir = versionDirectory(ref);
            if (!FileOps.isRealDirectory(root.resolve(ref.image())) || !FileOps.isRealDirectory(dir)) {
                return;
            }
            try {
                Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
                deleteIfEmpty(root.resolve(ref.image()));
            } catch (NoSuchFileException e) {
                return;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + ref + " from " + root + ": " + e.getMessage(), e);
            }
        }
        FileOps.deleteTreeQuietly(trash);
        log.info("deleted base image {}", ref);
    }

    @Override
    public List<ImageManifest> list() {
        List<ImageManifest> out = new ArrayList<>();
        try (DirectoryStream<Path> images = Files.newDirectoryStream(root)) {
            for (Path imageDir : images) {
                String image = imageDir.getFileName().toString();
                if (image.equals(STAGING) || !FileOps.isRealDirectory(imageDir) || !isValidName(image)) {
                    continue;
                }
                try (DirectoryStream<Path> versions = Files.newDirectoryStream(imageDir)) {
                    for (Path v : versions) {
                        String name = v.getFileName().toString();
                        if (name.matches("[1-9][0-9]{0,8}")) {
                            listOne(new ImageRef(image, Integer.parseInt(name))).ifPresent(out::add);
                        }
                    }
                } catch (NoSuchFileException e) {
                    // deleted meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list image store " + root + ": " + e.getMessage(), e);
        }
        out.sort((a, b) -> a.ref().compareTo(b.ref()));
        return List.copyOf(out);
    }

    @Override
    public long bytesUsed() {
        AtomicLong total = new AtomicLong();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        total.addAndGet(attrs.size());
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE; // removed while walking
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure image store " + root + ": " + e.getMessage(), e);
        }
        return total.get();
    }

    @Override
    public StagedTransfer stage(ImageRef ref, long expectedSize, String expectedSha256, int parentVersion) {
        checkImportable(ref, parentVersion);
        if (expectedSize < 0) {
            throw new IllegalArgumentException("expected size of " + ref + " is negative: " + expectedSize);
        }
        String sha = Sha256.requireHex(expectedSha256);
        // Claim before touching files: a second stager must not delete the first one's partial file.
        if (!claimed.add(ref)) {
            throw new IllegalStateException("a transfer of " + ref + " is already in progress on this node;"
                    + " wait for it to finish or cancel it");
        }
        try {
            return new LocalStagedTransfer(this, ref, expectedSize, sha, parentVersion);
        } catch (IOException e) {
            claimed.remove(ref);
            throw new UncheckedIOException("cannot stage a transfer of " + ref + " in " + staging + ": "
                    + e.getMessage(), e);
        } catch (RuntimeException e) {
            claimed.remove(ref);
            throw e;
        }
    }

    // ---- used by LocalStagedTransfer ----

    Path stagingDirectory() {
        return staging;
    }

    /** Called once by a transfer's close. */
    void released(ImageRef ref) {
        claimed.remove(ref);
    }

    /** Publishes a verified partial file: moves it into a work directory beside a new manifest. */
    ImageManifest publishStaged(Path part, ImageRef ref, long size, String sha256, int parentVersion)
            throws IOException {
        Path work = newWorkDirectory();
        try {
            Files.move(part, work.resolve(DISK), StandardCopyOption.ATOMIC_MOVE);
            ImageManifest m = new ImageManifest(ref.image(), ref.version(), size, sha256, parentVersion, null,
                    clock.instant());
            publish(work, m);
            return m;
        } finally {
            FileOps.deleteTreeQuietly(work);
        }
    }

    // ---- internals ----

    /** The version's directory if it is landed and reached without any symbolic link. */
    private Optional<Path> landedDirectory(ImageRef ref) {
        Path dir = versionDirectory(ref);
        Path imageDir = dir.getParent();
        if (Files.isSymbolicLink(imageDir) || Files.isSymbolicLink(dir)
                || Files.isSymbolicLink(dir.resolve(DISK)) || Files.isSymbolicLink(dir.resolve(MANIFEST))) {
            log.warn("ignoring base image {}: the store at {} reaches it through a symbolic link", ref, root);
            return Optional.empty();
        }
        boolean landed = FileOps.isRealDirectory(imageDir) && FileOps.isRealDirectory(dir)
                && FileOps.isRealFile(dir.resolve(DISK)) && FileOps.isRealFile(dir.resolve(MANIFEST));
        return landed ? Optional.of(dir) : Optional.empty();
    }

    /** {@code <root>/<image>/<version>} for a valid ref, checked to stay inside the root. */
    private Path versionDirectory(ImageRef ref) {
        ImageNames.requireValid(ref);
        Path dir = root.resolve(ref.image()).resolve(Integer.toString(ref.version())).normalize();
        if (!dir.startsWith(root) || dir.getNameCount() != root.getNameCount() + 2) {
            throw new IllegalArgumentException("base image " + ref + " would resolve to " + dir
                    + ", outside the image store " + root);
        }
        return dir;
    }

    void checkImportable(ImageRef ref, int parentVersion) {
        versionDirectory(ref);
        if (parentVersion < 0 || parentVersion >= ref.version()) {
            throw new IllegalArgumentException("parent version " + parentVersion + " of " + ref
                    + " must be 0 (none) or an earlier version");
        }
        manifest(ref).ifPresent(m -> {
            throw new ImageAlreadyExistsException(ref, m.sha256());
        });
    }

    private Optional<ImageManifest> listOne(ImageRef ref) {
        try {
            return manifest(ref);
        } catch (UncheckedIOException e) {
            log.warn("skipping {} in the listing: {}", ref, e.getMessage());
            return Optional.empty();
        }
    }

    Path newWorkDirectory() {
        try {
            return Files.createDirectory(staging.resolve("work-" + UUID.randomUUID()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory in " + staging + ": " + e.getMessage(), e);
        }
    }

    /** Writes the manifest into {@code work}, flushes both files and renames work into place. */
    void publish(Path work, ImageManifest m) throws IOException {
        Files.write(work.resolve(MANIFEST), ManifestCodec.write(m), StandardOpenOption.CREATE_NEW);
        FileOps.fsync(work.resolve(DISK));
        FileOps.fsync(work.resolve(MANIFEST));
        FileOps.fsyncDirectory(work);
        ImageRef ref = m.ref();
        synchronized (publishLock) {
            Path dir = versionDirectory(ref);
            Path imageDir = dir.getParent();
            if (Files.isSymbolicLink(imageDir)) {
                throw new IllegalArgumentException("cannot publish " + ref + ": " + imageDir
                        + " is a symbolic link; remove it, the store never writes through links");
            }
            if (Files.exists(dir, FileOps.NOFOLLOW)) {
                throw new ImageAlreadyExistsException(ref, manifest(ref).map(ImageManifest::sha256).orElse("unknown"));
            }
            Files.createDirectories(imageDir);
            try {
                Files.move(work, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                throw new ImageAlreadyExistsException(ref, "unknown");
            }
            FileOps.fsyncDirectory(imageDir);
        }
        customize(m, true);
    }

    /**
     * Hands every landed version to the hook again (the node does this at start: a hypervisor may
     * have lost what the hook registered, or a version may have landed before the hook ran). A
     * version whose disk the hook refuses is deleted; one it could not handle because this server
     * failed (its hypervisor is down) is kept for the next try.
     *
     * @return the versions that could not be customised now, each with the reason
     */
    public List<ImageCustomizationException> customizeLanded() {
        List<ImageCustomizationException> failed = new ArrayList<>();
        for (ImageManifest m : list()) {
            try {
                customize(m, false);
            } catch (ImageCustomizationException e) {
                failed.add(e);
            }
        }
        return List.copyOf(failed);
    }

    /**
     * Runs the hook on a landed version. A refusal of the disk deletes the version; so does any
     * failure of a version just arriving, which must not stay landed but unusable (the next fetch
     * would find it present and never customise it).
     */
    private void customize(ImageManifest m, boolean arriving) {
        ImageRef ref = m.ref();
        Path dir = versionDirectory(ref);
        long started = System.nanoTime();
        try {
            Path local = dir.resolve(LOCAL);
            if (Files.isSymbolicLink(local)) {
                throw new IllegalArgumentException(local + " is a symbolic link; the store never writes through links");
            }
            Files.createDirectories(local);
            hook.landed(m, dir.resolve(DISK), local);
        } catch (ImageCustomizationException e) {
            if (arriving || !e.hostFault()) {
                delete(ref);
            }
            throw e;
        } catch (IOException | RuntimeException e) {
            if (arriving) {
                delete(ref);
            }
            throw new ImageCustomizationException(ref, "cannot prepare " + ref + " for this server: " + e.getMessage(),
                    e, true);
        }
        if (hook != LandingHook.NONE) {
            log.info("base image {} customised for this server in {} ms", ref, (System.nanoTime() - started) / 1_000_000);
        }
    }

    private void deleteIfEmpty(Path dir) {
        try {
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // not empty: other versions remain
        }
    }

    private void removeLeftoverWorkDirectories() throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(staging, "work-*")) {
            for (Path p : s) {
                FileOps.deleteTree(p);
            }
        }
    }

    private static boolean isValidName(String image) {
        try {
            ImageNames.requireImage(image);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
