package io.deskmesh.bench.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Counts the entries of a node's Raft log by kind, read straight from its Ratis log segments on disk,
 * so the harness can tell command entries from the metadata entries Ratis appends whenever the commit
 * index moves (both move the applied index that {@code /healthz} reports). Read-only; tolerates a
 * segment being written (stops at a partial entry). Stateless, thread-safe.
 *
 * <p>Segment format (Ratis 3.x {@code SegmentedRaftLogFormat}): the 8-byte header {@code RaftLog1},
 * then per entry a varint length, a {@code LogEntryProto} (term = 1, index = 2, body: state machine
 * entry = 3, configuration = 4, metadata = 5) and a 4-byte checksum.
 */
final class RaftLogCounter {
    /** Entries in an index range by kind; {@code complete} is false when part of the range was purged. */
    record Counts(long commands, long configuration, long metadata, boolean complete) {
    }

    private static final int HEADER = 8;

    private RaftLogCounter() {
    }

    /** Counts entries with {@code from < index <= to} in the segments under {@code dataDir/raft}. */
    static Counts count(Path dataDir, long from, long to) {
        long[] kinds = new long[6];
        long lowest = Long.MAX_VALUE;
        for (Path segment : segments(dataDir.resolve("raft"))) {
            ByteBuffer b;
            try {
                b = ByteBuffer.wrap(Files.readAllBytes(segment));
            } catch (IOException e) {
                continue; // rolled or purged meanwhile
            }
            b.position(Math.min(HEADER, b.limit()));
            while (b.hasRemaining()) {
                int start = b.position();
                long length = varint(b);
                if (length < 0 || b.remaining() < length + 4) {
                    break;
                }
                ByteBuffer entry = b.slice(b.position(), (int) length);
                b.position(b.position() + (int) length + 4);
                long[] indexAndKind = entry(entry);
                if (indexAndKind == null) {
                    b.position(start);
                    break;
                }
                lowest = Math.min(lowest, indexAndKind[0]);
                if (indexAndKind[0] > from && indexAndKind[0] <= to) {
                    kinds[(int) indexAndKind[1]]++;
                }
            }
        }
        return new Counts(kinds[3], kinds[4], kinds[5], lowest <= from + 1);
    }

    /** [index, body field number] of one LogEntryProto, or null when it cannot be read. */
    private static long[] entry(ByteBuffer e) {
        long index = 0;
        long kind = 0;
        while (e.hasRemaining()) {
            long tag = varint(e);
            if (tag < 0) {
                return null;
            }
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            if (wire == 0) {
                long v = varint(e);
                if (field == 2) {
                    index = v;
                }
            } else if (wire == 2) {
                long len = varint(e);
                if (len < 0 || len > e.remaining()) {
                    return null;
                }
                e.position(e.position() + (int) len);
                if (field >= 3 && field <= 5) {
                    kind = field;
                }
            } else {
                return null;
            }
        }
        return new long[] {index, kind};
    }

    private static long varint(ByteBuffer b) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (!b.hasRemaining()) {
                return -1;
            }
            byte x = b.get();
            v |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        return -1;
    }

    private static List<Path> segments(Path raftDir) {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(raftDir, 3)) {
            s.filter(p -> p.getFileName().toString().startsWith("log_") && p.getParent().getFileName().toString().equals("current"))
                    .forEach(out::add);
        } catch (IOException e) {
            return List.of();
        }
        return out;
    }
}
