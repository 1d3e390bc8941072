package io.deskmesh.model.codec;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.record.MeshRecord;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Writes a cluster image as a snapshot stream and reads it back. Layout: magic {@code DMSN}, format
 * version, image index, image log time, record count, then each record as a length-prefixed
 * {@link RecordCodec} value, then the CRC32C of everything before it. A truncated or altered snapshot
 * is refused. Stateless, thread-safe.
 */
public final class SnapshotCodec {
    private static final int MAGIC = 0x444d534e; // "DMSN"
    private static final int FORMAT = 1;
    private static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

    private SnapshotCodec() {
    }

    public static void write(ClusterImage image, OutputStream out) throws IOException {
        CRC32C crc = new CRC32C();
        DataOutputStream data = new DataOutputStream(new CheckedOutputStream(out, crc));
        List<MeshRecord> records = image.toRecords();
        data.writeInt(MAGIC);
        data.writeInt(FORMAT);
        data.writeLong(image.index());
        data.writeLong(image.at());
        data.writeInt(records.size());
        for (MeshRecord r : records) {
            byte[] bytes = RecordCodec.encode(r);
            data.writeInt(bytes.length);
            data.write(bytes);
        }
        data.flush();
        new DataOutputStream(out).writeLong(crc.getValue());
        out.flush();
    }

    public static ClusterImage read(InputStream in) throws IOException {
        CRC32C crc = new CRC32C();
        DataInputStream data = new DataInputStream(new CheckedInputStream(in, crc));
        try {
            int magic = data.readInt();
            if (magic != MAGIC) {
                throw new CodecException("not a DeskMesh snapshot (magic " + Integer.toHexString(magic) + ")");
            }
            int format = data.readInt();
            if (format != FORMAT) {
                throw new CodecException("snapshot format " + format + " is not supported (this node reads " + FORMAT
                        + "); upgrade this node");
            }
            long index = data.readLong();
            long at = data.readLong();
            int count = data.readInt();
            if (count < 0) {
                throw new CodecException("snapshot record count is negative: " + count);
            }
            List<MeshRecord> records = new ArrayList<>(Math.min(count, 1 << 20));
            for (int i = 0; i < count; i++) {
                int len = data.readInt();
                if (len < 0 || len > MAX_RECORD_BYTES) {
                    throw new CodecException("snapshot record " + i + " has an impossible length " + len);
                }
                byte[] bytes = new byte[len];
                data.readFully(bytes);
                records.add(RecordCodec.decode(bytes));
            }
            long expected = crc.getValue();
            long stored = new DataInputStream(in).readLong();
            if (stored != expected) {
                throw new CodecException("snapshot checksum mismatch (stored " + Long.toHexString(stored) + ", computed "
                        + Long.toHexString(expected) + "): the file is corrupt; let the node fetch a fresh snapshot");
            }
            return ClusterImage.fromRecords(index, at, records);
        } catch (EOFException e) {
            throw new CodecException("snapshot is truncated", e);
        }
    }
}
