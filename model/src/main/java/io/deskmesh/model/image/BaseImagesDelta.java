package io.deskmesh.model.image;

import io.deskmesh.model.record.ImageVersionRegisteredRecord;
import io.deskmesh.model.record.ImageVersionRemovedRecord;
import io.deskmesh.model.record.ReplicaLandedRecord;
import io.deskmesh.model.record.ReplicaRemovedRecord;
import io.deskmesh.model.record.ReplicaTransferFailedRecord;
import io.deskmesh.model.record.ReplicaTransferStartedRecord;
import org.pcollections.TreePMap;

/** Replays base image records onto a {@link BaseImagesImage}. Not thread-safe: one replaying thread. */
final class BaseImagesDelta {
    private TreePMap<ImageRef, ImageVersionImage> versions;
    private TreePMap<ImageRef, TreePMap<String, ReplicaImage>> replicas;
    private TreePMap<String, TreePMap<ImageRef, ReplicaImage>> byServer;
    private TreePMap<ImageRef, TreePMap<String, TransferFailure>> failures;

    private final BaseImagesImage base;

    BaseImagesDelta(BaseImagesImage base) {
        this.base = base;
        versions = base.versions;
        replicas = base.replicas;
        byServer = base.byServer;
        failures = base.failures;
    }

    /** The base images after replay; the base image itself when nothing changed, so untouched parts stay shared. */
    BaseImagesImage apply() {
        if (versions == base.versions && replicas == base.replicas && byServer == base.byServer && failures == base.failures) {
            return base;
        }
        return new BaseImagesImage(versions, replicas, byServer, failures);
    }

    void replay(ImageVersionRegisteredRecord r) {
        ImageRef ref = new ImageRef(r.image(), r.version());
        if (versions.containsKey(ref)) {
            throw new ReplayException("image version " + ref + " registered twice");
        }
        versions = versions.plus(ref, new ImageVersionImage(ref, r.sizeBytes(), r.sha256(), r.parentVersion(), r.at()));
    }

    void replay(ImageVersionRemovedRecord r) {
        ImageRef ref = known(r.image(), r.version());
        if (replicas.containsKey(ref)) {
            throw new ReplayException("image version " + ref + " removed while servers still hold it");
        }
        versions = versions.minus(ref);
        failures = failures.minus(ref);
    }

    void replay(ReplicaTransferStartedRecord r) {
        ImageRef ref = known(r.image(), r.version());
        put(new ReplicaImage(ref, r.server(), false, r.source() == null ? "" : r.source(), r.at()));
    }

    void replay(ReplicaLandedRecord r) {
        ImageRef ref = known(r.image(), r.version());
        put(new ReplicaImage(ref, r.server(), true, "", r.at()));
        TreePMap<String, TransferFailure> f = failures.get(ref);
        if (f != null && f.containsKey(r.server())) {
            f = f.minus(r.server());
            failures = f.isEmpty() ? failures.minus(ref) : failures.plus(ref, f);
        }
    }

    void replay(ReplicaTransferFailedRecord r) {
        ImageRef ref = known(r.image(), r.version());
        ReplicaImage existing = replicas.getOrDefault(ref, TreePMap.empty()).get(r.server());
        if (existing != null && !existing.landed()) {
            remove(ref, r.server());
        }
        failures = failures.plus(ref, failures.getOrDefault(ref, TreePMap.empty())
                .plus(r.server(), new TransferFailure(r.reason() == null ? "" : r.reason(), r.at())));
    }

    void replay(ReplicaRemovedRecord r) {
        ImageRef ref = known(r.image(), r.version());
        if (!replicas.getOrDefault(ref, TreePMap.empty()).containsKey(r.server())) {
            throw new ReplayException("server '" + r.server() + "' removed a replica of " + ref + " it does not hold");
        }
        remove(ref, r.server());
    }

    /** Drops everything about one server (it left the grid). */
    void forgetServer(String server) {
        TreePMap<ImageRef, ReplicaImage> held = byServer.get(server);
        if (held != null) {
            for (ImageRef ref : held.keySet()) {
                remove(ref, server);
            }
        }
        for (var e : failures.entrySet()) {
            if (e.getValue().containsKey(server)) {
                TreePMap<String, TransferFailure> f = e.getValue().minus(server);
                failures = f.isEmpty() ? failures.minus(e.getKey()) : failures.plus(e.getKey(), f);
            }
        }
    }

    private ImageRef known(String image, int version) {
        ImageRef ref = new ImageRef(image, version);
        if (!versions.containsKey(ref)) {
            throw new ReplayException("record names unknown image version " + ref);
        }
        return ref;
    }

    private void put(ReplicaImage replica) {
        replicas = replicas.plus(replica.ref(), replicas.getOrDefault(replica.ref(), TreePMap.empty())
                .plus(replica.server(), replica));
        byServer = byServer.plus(replica.server(), byServer.getOrDefault(replica.server(), TreePMap.empty())
                .plus(replica.ref(), replica));
    }

    private void remove(ImageRef ref, String server) {
        TreePMap<String, ReplicaImage> r = replicas.getOrDefault(ref, TreePMap.empty()).minus(server);
        replicas = r.isEmpty() ? replicas.minus(ref) : replicas.plus(ref, r);
        TreePMap<ImageRef, ReplicaImage> s = byServer.getOrDefault(server, TreePMap.empty()).minus(ref);
        byServer = s.isEmpty() ? byServer.minus(server) : byServer.plus(server, s);
    }
}
