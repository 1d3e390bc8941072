package io.deskmesh.model.image;

import org.pcollections.TreePMap;

import java.util.Collection;
import java.util.Optional;

/** Every template, by name. Immutable and thread-safe. */
public final class TemplatesImage {
    public static final TemplatesImage EMPTY = new TemplatesImage(TreePMap.empty());

    private final TreePMap<String, TemplateImage> templates;

    TemplatesImage(TreePMap<String, TemplateImage> templates) {
        this.templates = templates;
    }

    public Optional<TemplateImage> get(String name) {
        return Optional.ofNullable(templates.get(name));
    }

    public boolean contains(String name) {
        return templates.containsKey(name);
    }

    /** All templates, sorted by name. */
    public Collection<TemplateImage> all() {
        return templates.values();
    }

    public int size() {
        return templates.size();
    }

    TreePMap<String, TemplateImage> map() {
        return templates;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TemplatesImage other && templates.equals(other.templates);
    }

    @Override
    public int hashCode() {
        return templates.hashCode();
    }
}
