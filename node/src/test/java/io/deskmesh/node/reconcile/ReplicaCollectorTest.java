package io.deskmesh.node.reconcile;

import io.deskmesh.model.command.*;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.TemplateSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which old base image copies a server may drop, decided from the cluster image alone. */
class ReplicaCollectorTest {
    private static final ImageRef V1 = new ImageRef("img", 1);
    private static final ImageRef V2 = new ImageRef("img", 2);
    private static final TemplateSpec SPEC = new TemplateSpec("pool", 1, 1024, "img", 1, PoolKind.NON_PERSISTENT,
            DesiredVms.of(0), 0, 1, 0, 0);
    private final InMemoryLog log = new InMemoryLog();

    @BeforeEach
    void setUp() {
        ok(new CreateGridCommand("gc"));
        for (String s : List.of("a", "b")) {
            ok(new JoinServerCommand(s, "site", s + ":8443", new Capacity(8, 32_768, 1_000_000)));
        }
        ok(new RegisterImageVersionCommand("img", 1, 1000, "a".repeat(64), 0, "a"));
        ok(new StartReplicaTransferCommand("img", 1, "b", "a"));
        ok(new LandReplicaCommand("img", 1, "b"));
        ok(new CreateTemplateCommand(SPEC));
    }

    @AfterEach
    void close() {
        log.close();
    }

    @Test
    void theVersionATemplateUsesIsKept() {
        assertThat(ReplicaCollector.garbage(log.image(), "a")).isEmpty();
        assertThat(ReplicaCollector.garbage(log.image(), "b")).isEmpty();
    }

    @Test
    void anOldVersionIsKeptAsTheDifferenceBaseUntilEveryHolderHasItsSuccessorThenDropped() {
        ok(new RegisterImageVersionCommand("img", 2, 1000, "b".repeat(64), 1, "a"));
        ok(new UpdateTemplateCommand(SPEC.withImageVersion(2)));

        // b holds version 1 but not yet version 2: version 1 is what b's difference is computed against.
        assertThat(ReplicaCollector.garbage(log.image(), "a")).isEmpty();
        assertThat(ReplicaCollector.garbage(log.image(), "b")).isEmpty();

        ok(new StartReplicaTransferCommand("img", 2, "b", "a"));
        assertThat(ReplicaCollector.garbage(log.image(), "a")).as("b is still fetching").isEmpty();
        ok(new LandReplicaCommand("img", 2, "b"));

        assertThat(ReplicaCollector.garbage(log.image(), "a")).containsExactly(V1);
        assertThat(ReplicaCollector.garbage(log.image(), "b")).containsExactly(V1);
        assertThat(ReplicaCollector.garbage(log.image(), "a")).doesNotContain(V2);
    }

    @Test
    void anImageNoTemplateUsesIsLeftAlone() {
        ok(new RegisterImageVersionCommand("loose", 1, 1000, "c".repeat(64), 0, "a"));
        ok(new RegisterImageVersionCommand("loose", 2, 1000, "d".repeat(64), 1, "a"));

        assertThat(ReplicaCollector.garbage(log.image(), "a")).isEmpty();
    }

    private void ok(MeshCommand c) {
        Reply r = log.submit(c).join();
        assertThat(r.ok()).as("%s -> %s", c, r).isTrue();
    }
}
