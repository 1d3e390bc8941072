package io.deskmesh.model.image;

import io.deskmesh.model.record.MeshRecord;

import java.util.List;

/**
 * The whole replicated state of a grid at one log index: identical on every node that has applied
 * the same records. Immutable and thread-safe; replaying more records yields a new image that shares
 * every part the records did not touch.
 *
 * @param index     the log index of the last record applied (0 for the empty image)
 * @param at        the log time of the last record applied; planners use it as "now"
 * @param grid      the grid's identity
 * @param servers   servers by name
 * @param templates templates by name
 * @param images    base image versions and replicas
 * @param vms       VMs with placement indexes
 * @param sessions  live sessions and pool demand
 * @param accounts  users, groups and grants
 * @param audit     the recent audit trail and revoked API tokens
 */
public record ClusterImage(long index, long at, GridImage grid, ServersImage servers, TemplatesImage templates,
                           BaseImagesImage images, VmsImage vms, SessionsImage sessions, AccountsImage accounts,
                           AuditImage audit) {

    public static final ClusterImage EMPTY = new ClusterImage(0, 0, GridImage.EMPTY, ServersImage.EMPTY,
            TemplatesImage.EMPTY, BaseImagesImage.EMPTY, VmsImage.EMPTY, SessionsImage.EMPTY, AccountsImage.EMPTY,
            AuditImage.EMPTY);

    /** This image written out as records that rebuild it when replayed onto the empty image (a snapshot). */
    public List<MeshRecord> toRecords() {
        return ImageWriter.write(this);
    }

    /** Rebuilds an image from a snapshot's records, stamped with the snapshot's index and log time. */
    public static ClusterImage fromRecords(long index, long at, Iterable<? extends MeshRecord> records) {
        ClusterDelta delta = new ClusterDelta(EMPTY);
        for (MeshRecord r : records) {
            delta.replay(r);
        }
        return delta.apply(index, at);
    }

    /** Replays records on top of this image and stamps the result with {@code newIndex}. */
    public ClusterImage replay(long newIndex, Iterable<? extends MeshRecord> records) {
        ClusterDelta delta = new ClusterDelta(this);
        long last = at;
        for (MeshRecord r : records) {
            delta.replay(r);
            last = Math.max(last, r.at());
        }
        return delta.apply(newIndex, last);
    }
}
