package io.deskmesh.raft;

import io.deskmesh.model.command.CreateGridCommand;
import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.record.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No acknowledged write is ever lost: writers keep submitting from every node while voters are
 * stopped and restarted (the leader included, twice), and in the end every write that was
 * acknowledged with OK is in every node's image. Writes that failed may or may not be there
 * (their outcome is unknown); none may appear twice.
 */
class AcknowledgedWritesTest {
    @TempDir
    Path dir;
    private TestGrid grid;

    @AfterEach
    void close() {
        if (grid != null) {
            grid.close();
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesLeaderLossAndRestarts() throws Exception {
        grid = new TestGrid(dir);
        grid.voters("a", "b", "c");
        assertThat(grid.awaitLeader().submitter().submit(new CreateGridCommand("acks")).get(10, TimeUnit.SECONDS).ok()).isTrue();

        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<?>> pending = new ArrayList<>();
        int n = 0;
        for (int phase = 0; phase < 4; phase++) {
            for (int i = 0; i < 150; i++, n++) {
                String user = "u" + n;
                MeshRaftServer via = grid.running().stream().skip(n % grid.running().size()).findFirst().orElseThrow();
                pending.add(via.submitter().submit(new CreateUserCommand(user, "x", Role.USER, ""))
                        .whenComplete((r, e) -> {
                            if (e == null && r.ok()) {
                                acknowledged.add(user);
                            }
                        }));
            }
            if (phase == 0 || phase == 2) {
                String leader = grid.awaitLeader().nodeId();
                grid.stop(leader);
                grid.awaitLeader();
                grid.restart(leader);
            } else if (phase == 1) {
                String follower = grid.running().stream().filter(s -> !s.isLeader()).findFirst().orElseThrow().nodeId();
                grid.stop(follower);
                grid.restart(follower);
            }
        }
        for (CompletableFuture<?> f : pending) {
            try {
                f.get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                // a write whose outcome is unknown (its node stopped, or no majority in time)
            }
        }
        long index = grid.awaitLeader().image().index();
        var image = grid.awaitSameImage(index);
        assertThat(acknowledged).as("acknowledged writes").hasSizeGreaterThan(300);
        for (String user : acknowledged) {
            assertThat(image.accounts().user(user)).as("acknowledged user %s", user).isPresent();
        }
        assertThat(image.accounts().users().stream().map(u -> u.name()).distinct().count())
                .isEqualTo(image.accounts().users().size());
    }
}
