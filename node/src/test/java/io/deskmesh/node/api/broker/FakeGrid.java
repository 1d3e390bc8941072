package io.deskmesh.node.api.broker;

import io.deskmesh.model.command.CommandProcessor;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.node.api.ApiContext;
import io.deskmesh.raft.NoQuorumException;
import io.deskmesh.testkit.GridFixture;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * A one-process stand-in for a node's write path in broker unit tests: each submit is one entry
 * applied at once on the image of a {@link GridFixture}, with a settable log clock and an injectable
 * missing majority. Records every entry. Thread-safe.
 */
final class FakeGrid {
    private ClusterImage image;
    private long now;
    private boolean noMajority;
    private final List<List<MeshCommand>> entries = new ArrayList<>();

    FakeGrid(GridFixture fixture) {
        this.image = fixture.clusterImage();
        this.now = fixture.now();
    }

    synchronized ClusterImage image() {
        return image;
    }

    synchronized FakeGrid noMajority(boolean value) {
        noMajority = value;
        return this;
    }

    synchronized long now() {
        return now;
    }

    synchronized List<List<MeshCommand>> entries() {
        return List.copyOf(entries);
    }

    synchronized CompletableFuture<List<Reply>> submit(List<MeshCommand> commands) {
        if (noMajority) {
            return CompletableFuture.failedFuture(new NoQuorumException(Duration.ofSeconds(5), null));
        }
        entries.add(List.copyOf(commands));
        CommandProcessor.BatchResult r = CommandProcessor.apply(image, image.index() + 1, now, commands);
        image = r.image();
        return CompletableFuture.completedFuture(r.replies());
    }

    ApiContext context(String self, ApiContext.VmPreparer preparer) {
        Function<List<MeshCommand>, CompletableFuture<List<Reply>>> submit = this::submit;
        return new ApiContext(self, this::image, submit, "secret-secret-secret", this::now, preparer);
    }
}
