package io.deskmesh.model.command;

import io.deskmesh.model.record.MeshRecord;

import java.util.List;

/**
 * What a command generated: the records to replay and the reply. A refused command may still carry
 * records (a login that found no desktop records the unmet demand). Immutable.
 */
public record CommandResult(List<MeshRecord> records, Reply reply) {
    public CommandResult {
        records = List.copyOf(records);
    }

    public static CommandResult of(Reply reply, MeshRecord... records) {
        return new CommandResult(List.of(records), reply);
    }

    public static CommandResult done(List<MeshRecord> records) {
        return new CommandResult(records, Reply.DONE);
    }

    public static CommandResult failed(ErrorCode code, String message) {
        return new CommandResult(List.of(), new Reply.Failed(code, message));
    }
}
