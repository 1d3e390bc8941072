package io.deskmesh.model.image;

import io.deskmesh.model.record.TemplateSpec;

/**
 * One template as the grid knows it. Immutable.
 *
 * @param spec      what the admin said
 * @param createdAt log time of creation
 * @param updatedAt log time of the last change
 */
public record TemplateImage(TemplateSpec spec, long createdAt, long updatedAt) {
    public String name() {
        return spec.name();
    }

    /** The base image version new VMs of this template use. */
    public ImageRef imageRef() {
        return new ImageRef(spec.baseImage(), spec.imageVersion());
    }
}
