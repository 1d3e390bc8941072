package io.deskmesh.model.command;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.GrantImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;
import io.deskmesh.model.image.ReplicaImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Generates records for template commands. Stateless, thread-safe. */
final class TemplateControl {
    private TemplateControl() {
    }

    static CommandResult create(ClusterImage image, CreateTemplateCommand c, CommandContext ctx) {
        TemplateSpec spec = validate(image, c.spec());
        if (image.templates().contains(spec.name())) {
            throw Check.conflict("template '" + spec.name() + "' already exists; change it with an update");
        }
        if (spec.imageVersion() == 0) {
            spec = spec.withImageVersion(image.images().latest(spec.baseImage()).map(v -> v.ref().version()).orElse(0));
        } else {
            requireCopy(image, spec);
        }
        return CommandResult.of(new Reply.Created(spec.name()), new TemplateCreatedRecord(spec, ctx.at()));
    }

    static CommandResult update(ClusterImage image, UpdateTemplateCommand c, CommandContext ctx) {
        TemplateSpec spec = validate(image, c.spec());
        TemplateImage old = template(image, spec.name());
        if (spec.imageVersion() == 0) {
            spec = spec.withImageVersion(spec.baseImage().equals(old.spec().baseImage()) ? old.spec().imageVersion()
                    : image.images().latest(spec.baseImage()).map(v -> v.ref().version()).orElse(0));
        } else if (!spec.baseImage().equals(old.spec().baseImage()) || spec.imageVersion() != old.spec().imageVersion()) {
            requireCopy(image, spec);
        }
        if (spec.equals(old.spec())) {
            return CommandResult.done(List.of());
        }
        return CommandResult.of(Reply.DONE, new TemplateUpdatedRecord(spec, ctx.at()));
    }

    /**
     * A template moved to a chosen version (a rollback, say) needs a copy of it somewhere to copy from:
     * old versions no VM uses are collected from every server, though they stay registered.
     */
    private static void requireCopy(ClusterImage image, TemplateSpec spec) {
        ImageRef ref = new ImageRef(spec.baseImage(), spec.imageVersion());
        if (image.images().replicas(ref).values().stream().noneMatch(ReplicaImage::landed)) {
            throw Check.conflict("base image " + ref + " has no copy left on any server (versions no VM uses are"
                    + " deleted); import it again with 'deskmesh image import', or choose a version 'deskmesh image"
                    + " list' shows on a server");
        }
    }

    static CommandResult delete(ClusterImage image, DeleteTemplateCommand c, CommandContext ctx) {
        template(image, c.name());
        int live = image.sessions().onTemplate(c.name());
        if (live > 0) {
            throw Check.conflict("template '" + c.name() + "' has " + live + " live session(s); log them off first");
        }
        List<MeshRecord> out = new ArrayList<>();
        for (GrantImage g : image.accounts().grantsOf(c.name())) {
            out.add(new GrantRevokedRecord(g.id(), ctx.at()));
        }
        for (var ids : image.vms().placement(c.name()).values()) {
            for (String id : ids) {
                VmImage vm = image.vms().get(id).orElseThrow();
                if (vm.state() != VmState.RETIRING) {
                    out.add(new VmRetiredRecord(id, "template deleted", ctx.at()));
                }
            }
        }
        out.add(new TemplateDeletedRecord(c.name(), ctx.at()));
        return CommandResult.done(out);
    }

    static TemplateImage template(ClusterImage image, String name) {
        return (name == null ? Optional.<TemplateImage>empty() : image.templates().get(name))
                .orElseThrow(() -> Check.notFound("template " + Check.quote(name)
                        + " does not exist; 'deskmesh template list' shows the templates"));
    }

    private static TemplateSpec validate(ClusterImage image, TemplateSpec s) {
        if (s == null) {
            throw Check.invalid("template spec is missing");
        }
        Check.name("template", s.name());
        Check.name("base image", s.baseImage());
        Check.range("cpus", s.cpus(), 1, 256);
        Check.range("memoryMb", s.memoryMb(), 64, 4L * 1024 * 1024);
        Check.range("spareVms", s.spareVms(), 0, 10_000);
        Check.range("minReplicas", s.minReplicas(), 1, 64);
        Check.range("idleTimeoutSeconds", s.idleTimeoutSeconds(), 0, 366L * 24 * 3600);
        Check.range("disconnectTimeoutSeconds", s.disconnectTimeoutSeconds(), 0, 366L * 24 * 3600);
        Check.range("imageVersion", s.imageVersion(), 0, Integer.MAX_VALUE);
        if (!s.desiredVms().auto()) {
            Check.range("desiredVms", s.desiredVms().count(), 0, 1_000_000);
            if (s.spareVms() > s.desiredVms().count()) {
                throw Check.invalid("spareVms (" + s.spareVms() + ") cannot exceed desiredVms (" + s.desiredVms().count() + ")");
            }
        }
        if (s.imageVersion() > 0) {
            ImageVersionImage v = image.images().version(new io.deskmesh.model.image.ImageRef(s.baseImage(), s.imageVersion()))
                    .orElse(null);
            if (v == null) {
                throw Check.notFound("base image '" + s.baseImage() + "' has no version " + s.imageVersion()
                        + "; 'deskmesh image list' shows the registered versions");
            }
        }
        return s;
    }
}
