package io.deskmesh.model.command;

import io.deskmesh.model.record.Capacity;

/** A server reports a changed capacity. Command type id 3. */
public record ReportCapacityCommand(String name, Capacity capacity) implements MeshCommand {
}
