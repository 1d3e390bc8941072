package io.deskmesh.model.command;

import io.deskmesh.model.record.TemplateSpec;

/** Replaces a template's spec; imageVersion 0 keeps the current version. Command type id 21. */
public record UpdateTemplateCommand(TemplateSpec spec) implements MeshCommand {
}
