package io.deskmesh.model.command;

/** Appends an event to the audit trail. Command type id 90. */
public record RecordAuditCommand(String actor, String action, String target, String from, boolean ok, String detail)
        implements MeshCommand {
}
