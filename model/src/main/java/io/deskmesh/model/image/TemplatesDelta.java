package io.deskmesh.model.image;

import io.deskmesh.model.record.TemplateCreatedRecord;
import io.deskmesh.model.record.TemplateDeletedRecord;
import io.deskmesh.model.record.TemplateUpdatedRecord;
import org.pcollections.TreePMap;

/** Replays template records onto a {@link TemplatesImage}. Not thread-safe: one replaying thread. */
final class TemplatesDelta {
    private final TemplatesImage base;
    private TreePMap<String, TemplateImage> templates;

    TemplatesDelta(TemplatesImage base) {
        this.base = base;
        this.templates = base.map();
    }

    /** The templates after replay; the base image itself when nothing changed, so untouched parts stay shared. */
    TemplatesImage apply() {
        return templates == base.map() ? base : new TemplatesImage(templates);
    }

    void replay(TemplateCreatedRecord r) {
        String name = r.spec().name();
        if (templates.containsKey(name)) {
            throw new ReplayException("template '" + name + "' created twice");
        }
        templates = templates.plus(name, new TemplateImage(r.spec(), r.at(), r.at()));
    }

    void replay(TemplateUpdatedRecord r) {
        TemplateImage old = get(r.spec().name());
        templates = templates.plus(old.name(), new TemplateImage(r.spec(), old.createdAt(), r.at()));
    }

    void replay(TemplateDeletedRecord r) {
        get(r.name());
        templates = templates.minus(r.name());
    }

    private TemplateImage get(String name) {
        TemplateImage t = templates.get(name);
        if (t == null) {
            throw new ReplayException("record names unknown template '" + name + "'");
        }
        return t;
    }
}
