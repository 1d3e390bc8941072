package io.deskmesh.testkit;

import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.TemplateSpec;

/**
 * Builds a {@link TemplateSpec} with defaults that pass validation: 2 vCPUs, 4 GiB, base image named
 * like the template at its newest version (0), non-persistent, 10 desktops, no spares, one replica,
 * no timeouts. Tests change only what they are about. Not thread-safe; one test.
 */
public final class TemplateSpecBuilder {
    private String name;
    private int cpus = 2;
    private long memoryMb = 4096;
    private String baseImage;
    private int imageVersion;
    private PoolKind pool = PoolKind.NON_PERSISTENT;
    private DesiredVms desiredVms = DesiredVms.of(10);
    private int spareVms;
    private int minReplicas = 1;
    private int idleTimeoutSeconds;
    private int disconnectTimeoutSeconds;

    private TemplateSpecBuilder(String name) {
        this.name = name;
        this.baseImage = name;
    }

    /** A template called {@code name} whose base image has the same name. */
    public static TemplateSpecBuilder template(String name) {
        return new TemplateSpecBuilder(name);
    }

    /** A builder holding every value of an existing spec, to change a few of them. */
    public static TemplateSpecBuilder from(TemplateSpec spec) {
        TemplateSpecBuilder b = new TemplateSpecBuilder(spec.name());
        b.cpus = spec.cpus();
        b.memoryMb = spec.memoryMb();
        b.baseImage = spec.baseImage();
        b.imageVersion = spec.imageVersion();
        b.pool = spec.pool();
        b.desiredVms = spec.desiredVms();
        b.spareVms = spec.spareVms();
        b.minReplicas = spec.minReplicas();
        b.idleTimeoutSeconds = spec.idleTimeoutSeconds();
        b.disconnectTimeoutSeconds = spec.disconnectTimeoutSeconds();
        return b;
    }

    public TemplateSpecBuilder name(String value) {
        this.name = value;
        return this;
    }

    public TemplateSpecBuilder cpus(int value) {
        this.cpus = value;
        return this;
    }

    public TemplateSpecBuilder memoryMb(long value) {
        this.memoryMb = value;
        return this;
    }

    /** The base image; its version stays as set (0 = newest registered). */
    public TemplateSpecBuilder baseImage(String value) {
        this.baseImage = value;
        return this;
    }

    public TemplateSpecBuilder baseImage(String value, int version) {
        this.baseImage = value;
        this.imageVersion = version;
        return this;
    }

    public TemplateSpecBuilder imageVersion(int value) {
        this.imageVersion = value;
        return this;
    }

    public TemplateSpecBuilder pool(PoolKind value) {
        this.pool = value;
        return this;
    }

    public TemplateSpecBuilder persistent() {
        return pool(PoolKind.PERSISTENT);
    }

    public TemplateSpecBuilder nonPersistent() {
        return pool(PoolKind.NON_PERSISTENT);
    }

    public TemplateSpecBuilder desired(int count) {
        this.desiredVms = DesiredVms.of(count);
        return this;
    }

    public TemplateSpecBuilder desiredAuto() {
        this.desiredVms = DesiredVms.AUTO;
        return this;
    }

    public TemplateSpecBuilder spare(int value) {
        this.spareVms = value;
        return this;
    }

    public TemplateSpecBuilder minReplicas(int value) {
        this.minReplicas = value;
        return this;
    }

    public TemplateSpecBuilder idleTimeoutSeconds(int value) {
        this.idleTimeoutSeconds = value;
        return this;
    }

    public TemplateSpecBuilder disconnectTimeoutSeconds(int value) {
        this.disconnectTimeoutSeconds = value;
        return this;
    }

    public TemplateSpec build() {
        return new TemplateSpec(name, cpus, memoryMb, baseImage, imageVersion, pool, desiredVms, spareVms, minReplicas,
                idleTimeoutSeconds, disconnectTimeoutSeconds);
    }
}
