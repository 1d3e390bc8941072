package io.deskmesh.model.command;

/**
 * Where and when a command is applied: the log index of its entry, the log time the leader stamped
 * on it, and its position in the entry. Ids the grid chooses derive from these, so every node picks
 * the same ones. Immutable.
 *
 * @param index log index of the entry
 * @param at    log time, epoch milliseconds
 * @param seq   position of the command within its entry
 */
public record CommandContext(long index, long at, int seq) {
    /** A new id, unique in the grid: {@code prefix-<index>-<seq>[-k]} in base 36. */
    public String id(String prefix, int k) {
        StringBuilder sb = new StringBuilder(prefix.length() + 16).append(prefix).append('-')
                .append(Long.toString(index, 36)).append('-').append(Integer.toString(seq, 36));
        if (k > 0) {
            sb.append('-').append(Integer.toString(k, 36));
        }
        return sb.toString();
    }
}
