package io.deskmesh.node.reconcile;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ImageVersionImage;
import io.deskmesh.model.image.ReplicaImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.VmImage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Which of one server's base image copies are garbage: old versions nothing needs any more. A pure
 * function of the cluster image, so every node would reach the same verdict about any server.
 * Stateless and thread-safe.
 *
 * <p><b>Goals.</b> A rolling update leaves no old version behind once the last VM on it has
 * regenerated, so disks do not fill up with versions nobody runs.
 *
 * <p><b>Constraints.</b> A copy is kept while it is landed but any of these holds: no template uses
 * its image at all (an admin may have just imported it, as the image planner also assumes); a
 * template uses this version or a newer one is not registered yet (it is not superseded); a VM on
 * this server runs from it (running sessions keep their version); another server is fetching it
 * from this one; or it is the parent of a template's current version and some server that holds it
 * still lacks that version (it is the base of the difference that server will be sent).
 *
 * <p><b>Algorithm.</b> For each landed copy on the server, in ref order, test the constraints;
 * the reconciler then drops what is left ({@code RemoveReplica}, whose apply-time check refuses a
 * copy a VM has started to use meanwhile, then the local delete). Cost: O(copies × (templates +
 * the template's VMs on the server + the version's replicas)).
 */
final class ReplicaCollector {
    private ReplicaCollector() {
    }

    /** The copies on {@code server} to drop, sorted. */
    static List<ImageRef> garbage(ClusterImage image, String server) {
        List<ImageRef> out = new ArrayList<>();
        for (ReplicaImage r : image.images().onServer(server).values()) {
            if (r.landed() && collectable(image, r.ref(), server)) {
                out.add(r.ref());
            }
        }
        return out;
    }

    private static boolean collectable(ClusterImage image, ImageRef ref, String server) {
        List<TemplateImage> users = image.templates().all().stream()
                .filter(t -> t.spec().baseImage().equals(ref.image())).toList();
        if (users.isEmpty()) {
            return false;
        }
        for (TemplateImage t : users) {
            if (t.spec().imageVersion() <= ref.version() || runsOn(image, t, ref, server)
                    || baseOfPendingDifference(image, t, ref)) {
                return false;
            }
        }
        for (ReplicaImage other : image.images().replicas(ref).values()) {
            if (!other.landed() && server.equals(other.source())) {
                return false;
            }
        }
        return true;
    }

    private static boolean runsOn(ClusterImage image, TemplateImage t, ImageRef ref, String server) {
        for (String id : image.vms().on(t.name(), server)) {
            VmImage vm = image.vms().get(id).orElse(null);
            if (vm != null && vm.imageVersion() == ref.version()) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code ref} is the parent of t's version and a holder of ref still lacks that version. */
    private static boolean baseOfPendingDifference(ClusterImage image, TemplateImage t, ImageRef ref) {
        ImageVersionImage current = image.images().version(t.imageRef()).orElse(null);
        if (current == null || current.parentVersion() != ref.version()) {
            return false;
        }
        Map<String, ReplicaImage> next = image.images().replicas(t.imageRef());
        for (String holder : image.images().replicas(ref).keySet()) {
            ReplicaImage copy = next.get(holder);
            if (copy == null || !copy.landed()) {
                return true;
            }
        }
        return false;
    }
}
