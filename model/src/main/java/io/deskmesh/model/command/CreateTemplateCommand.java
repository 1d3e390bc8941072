package io.deskmesh.model.command;

import io.deskmesh.model.record.TemplateSpec;

/** Creates a template; imageVersion 0 means the newest registered version of its base image. Command type id 20. */
public record CreateTemplateCommand(TemplateSpec spec) implements MeshCommand {
}
