package io.deskmesh.model.record;

/**
 * One line of the audit trail: who did what to what, from where, and whether it worked. {@code seq}
 * numbers events in log order across the whole grid. Type id 90.
 *
 * @param seq    position in the trail, from 1
 * @param actor  the user (or {@code system:<node>}) who acted
 * @param action what was done, e.g. {@code login}, {@code template.create}
 * @param target what it was done to (a template, user, server ...), empty when none
 * @param from   the client address it came from, empty when internal
 * @param ok     whether it succeeded
 * @param detail a short explanation (the refusal's message, ...)
 * @param at     log time
 */
public record AuditEventRecord(long seq, String actor, String action, String target, String from, boolean ok,
                               String detail, long at) implements MeshRecord {
    public AuditEventRecord {
        java.util.Objects.requireNonNull(actor, "actor");
        java.util.Objects.requireNonNull(action, "action");
        if (seq < 1) {
            throw new IllegalArgumentException("audit seq must be >= 1, was " + seq);
        }
    }
}
