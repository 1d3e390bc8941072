package io.deskmesh.node;

import io.deskmesh.hypervisor.BaseImageCustomizer;
import io.deskmesh.images.Cancellation;
import io.deskmesh.images.FetchReport;
import io.deskmesh.images.ImageFetcher;
import io.deskmesh.images.ImageStore;
import io.deskmesh.images.TransferProgress;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;
import io.deskmesh.node.reconcile.ReplicaStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reconciler's view of this node's image store and fetcher, counting what each fetch moved
 * (for {@code /metrics}). Thread-safe.
 */
final class StoreReplicas implements ReplicaStore {
    private static final Logger LOG = LoggerFactory.getLogger(StoreReplicas.class);
    private final ImageStore store;
    private final ImageFetcher fetcher;
    private final BaseImageCustomizer customizer;
    private final Map<FetchReport.Mode, AtomicLong[]> totals = new EnumMap<>(FetchReport.Mode.class);

    StoreReplicas(ImageStore store, ImageFetcher fetcher, BaseImageCustomizer customizer) {
        this.store = store;
        this.fetcher = fetcher;
        this.customizer = customizer;
        for (FetchReport.Mode m : FetchReport.Mode.values()) {
            totals.put(m, new AtomicLong[]{new AtomicLong(), new AtomicLong(), new AtomicLong()});
        }
    }

    @Override
    public boolean has(ImageRef ref) {
        return store.has(ref);
    }

    @Override
    public Path diskPath(ImageRef ref) {
        // VMs are based on the file the driver made of the landed version (a libvirt volume), not the store's.
        return store.has(ref) ? customizer.basePath(ref.image(), ref.version(), store.diskPath(ref))
                : Path.of("/nonexistent", ref.image(), Integer.toString(ref.version()));
    }

    @Override
    public void fetch(ImageVersionImage version, String peerAddress) {
        FetchReport r = fetcher.transfer(URI.create("http://" + peerAddress), version, TransferProgress.NONE,
                new Cancellation());
        AtomicLong[] t = totals.get(r.mode());
        t[0].incrementAndGet();
        t[1].addAndGet(r.bytesReceived());
        t[2].addAndGet(r.fullBytes());
        LOG.info("base image {} landed from {} ({}): {} bytes received for a {}-byte version ({} saved)",
                version.ref(), peerAddress, r.mode().name().toLowerCase(java.util.Locale.ROOT), r.bytesReceived(),
                r.fullBytes(), r.bytesSaved());
    }

    @Override
    public void delete(ImageRef ref) {
        store.delete(ref);
    }

    /** Prometheus lines: fetches, bytes received and full-version bytes, by how the version moved. */
    String metrics() {
        StringBuilder b = new StringBuilder();
        String[] names = {"deskmesh_image_fetches_total", "deskmesh_image_fetch_bytes_received_total",
                "deskmesh_image_fetch_version_bytes_total"};
        String[] help = {"Base image versions fetched from peers", "Bytes received from peers by base image fetches",
                "Full sizes of the base image versions fetched (compare with bytes received)"};
        for (int i = 0; i < names.length; i++) {
            b.append("# HELP ").append(names[i]).append(' ').append(help[i]).append('\n');
            b.append("# TYPE ").append(names[i]).append(" counter\n");
            for (var e : totals.entrySet()) {
                b.append(names[i]).append("{mode=\"").append(e.getKey().name().toLowerCase(java.util.Locale.ROOT))
                        .append("\"} ").append(e.getValue()[i].get()).append('\n');
            }
        }
        return b.toString();
    }
}
