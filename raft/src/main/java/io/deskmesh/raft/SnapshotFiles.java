package io.deskmesh.raft;

import io.deskmesh.model.codec.SnapshotCodec;
import io.deskmesh.model.image.ClusterImage;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes and reads snapshot files in Ratis' {@link SimpleStateMachineStorage} layout:
 * {@code sm/snapshot.<term>_<index>} holding {@link SnapshotCodec} bytes, beside its
 * {@code .md5} file. Ratis sends exactly these files to a follower that is too far behind. Stateless,
 * thread-safe.
 */
final class SnapshotFiles {
    private static final String TMP_SUFFIX = ".writing";

    private SnapshotFiles() {
    }

    /**
     * Writes {@code image} as the snapshot for {@code applied}: to a temp file, forced to disk, then
     * atomically renamed, so a crash never leaves a half snapshot under the real name; then saves the
     * MD5 and registers the snapshot with the storage (without both, a leader that purged its log
     * cannot send this snapshot and old snapshots are never cleaned up).
     */
    static SingleFileSnapshotInfo write(SimpleStateMachineStorage storage, ClusterImage image, TermIndex applied)
            throws IOException {
        File file = storage.getSnapshotFile(applied.getTerm(), applied.getIndex());
        Path tmp = file.toPath().resolveSibling(file.getName() + TMP_SUFFIX);
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
             OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
            SnapshotCodec.write(image, out);
            out.flush();
            channel.force(true);
        }
        Files.move(tmp, file.toPath(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        SingleFileSnapshotInfo info = new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), applied);
        storage.updateLatestSnapshot(info);
        return info;
    }

    /** Reads a snapshot after checking its MD5 (when it has one); the codec checks its own CRC too. */
    static ClusterImage read(SingleFileSnapshotInfo snapshot) throws IOException {
        Path path = snapshot.getFile().getPath();
        if (!Files.isRegularFile(path)) {
            throw new IOException("snapshot " + path + " is listed but missing; restore the node's data"
                    + " directory or wipe it and let the node rejoin");
        }
        MD5Hash md5 = snapshot.getFile().getFileDigest();
        if (md5 != null) {
            MD5FileUtil.verifySavedMD5(path.toFile(), md5);
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            return SnapshotCodec.read(in);
        }
    }

    /** Removes temp files a crash left behind while writing a snapshot. */
    static void deleteLeftovers(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().endsWith(TMP_SUFFIX)).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
