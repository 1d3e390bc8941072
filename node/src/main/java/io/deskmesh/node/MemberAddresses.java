package io.deskmesh.node;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ServerImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * An image listener that keeps the other servers' HTTP addresses in {@code node.json} current as
 * servers come and go (answering servers first, then missing or suspect ones, each by name), so a
 * restarting node knows whom to ask for its role ({@link NodeRestart}). Writes only when the list
 * changes, and only from images that know this server (not an image that has not caught up yet).
 * Called on the image thread; not for concurrent use.
 */
final class MemberAddresses implements Consumer<ClusterImage> {
    private static final Logger LOG = LoggerFactory.getLogger(MemberAddresses.class);

    private final Path dataDir;
    private NodeIdentity identity;

    MemberAddresses(Path dataDir, NodeIdentity identity) {
        this.dataDir = dataDir;
        this.identity = identity;
    }

    @Override
    public void accept(ClusterImage image) {
        if (!image.servers().contains(identity.name())) {
            return;
        }
        List<String> addresses = addresses(image, identity.name());
        if (addresses.equals(identity.members())) {
            return;
        }
        NodeIdentity next = identity.withMembers(addresses);
        try {
            next.save(dataDir);
            identity = next;
            LOG.debug("grid members for restarts: {}", addresses);
        } catch (IOException e) {
            LOG.warn("could not keep the grid's member addresses in {}: {}", dataDir.resolve(NodeIdentity.FILE), e.toString());
        }
    }

    /** The HTTP addresses of the servers other than {@code self}: answering ones first, each group by name. */
    static List<String> addresses(ClusterImage image, String self) {
        return image.servers().all().stream()
                .filter(s -> !s.name().equals(self) && s.address() != null && !s.address().isBlank())
                .sorted(Comparator.comparing((ServerImage s) -> s.missing() || s.suspect()).thenComparing(ServerImage::name))
                .map(ServerImage::address)
                .distinct()
                .toList();
    }
}
