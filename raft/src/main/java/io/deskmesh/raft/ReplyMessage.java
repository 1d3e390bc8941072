package io.deskmesh.raft;

import io.deskmesh.model.codec.CodecException;
import io.deskmesh.model.codec.CommandCodec;
import io.deskmesh.model.command.Reply;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The answer a committed log entry sends back to its submitter: the entry's log index (8 bytes, big
 * endian) followed by {@link CommandCodec#encodeReplies} of its replies, one per command in entry
 * order. The index lets the submitter wait until its own node has applied the write. Stateless,
 * thread-safe.
 */
public final class ReplyMessage {
    private ReplyMessage() {
    }

    /** What one committed entry answered. */
    public record Committed(long index, List<Reply> replies) {
        public Committed {
            replies = List.copyOf(replies);
        }
    }

    public static byte[] encode(long index, List<Reply> replies) {
        byte[] body = CommandCodec.encodeReplies(replies);
        return ByteBuffer.allocate(Long.BYTES + body.length).putLong(index).put(body).array();
    }

    public static Committed decode(byte[] bytes) {
        if (bytes.length < Long.BYTES) {
            throw new CodecException("reply message has " + bytes.length + " bytes, fewer than its 8-byte log index");
        }
        long index = ByteBuffer.wrap(bytes, 0, Long.BYTES).getLong();
        return new Committed(index, CommandCodec.decodeReplies(Arrays.copyOfRange(bytes, Long.BYTES, bytes.length)));
    }
}
