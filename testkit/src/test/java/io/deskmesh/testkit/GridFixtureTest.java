package io.deskmesh.testkit;

import io.deskmesh.model.command.CreateGridCommand;
import io.deskmesh.model.command.DrainServerCommand;
import io.deskmesh.model.command.ErrorCode;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.record.GridCreatedRecord;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.ServerDrainedRecord;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.model.record.VmState;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GridFixtureTest {
    @Test
    void eachCallIsOneEntryAtTheNextIndexAndTheClockMovesOnlyWhenAsked() {
        GridFixture g = GridFixture.grid();
        assertThat(g.index()).isEqualTo(1);
        assertThat(g.records()).containsExactly(new GridCreatedRecord(GridFixture.GRID_ID, GridFixture.EPOCH));
        g.server("s1");
        assertThat(g.index()).isEqualTo(2);
        assertThat(g.now()).isEqualTo(GridFixture.EPOCH);
        g.advance(Duration.ofMinutes(1)).drain("s1");
        assertThat(g.index()).isEqualTo(3);
        assertThat(g.clusterImage().at()).isEqualTo(GridFixture.EPOCH + 60_000);
        assertThat(g.lastRecords()).containsExactly(new ServerDrainedRecord("s1", GridFixture.EPOCH + 60_000));
        assertThat(g.records()).hasSize(3);
        assertThatThrownBy(() -> g.advance(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tickingMovesTheClockAfterEveryEntry() {
        GridFixture g = GridFixture.grid().ticking(250).server("s1").server("s2");
        assertThat(g.clusterImage().servers().get("s2").orElseThrow().joinedAt()).isEqualTo(GridFixture.EPOCH + 250);
        assertThat(g.now()).isEqualTo(GridFixture.EPOCH + 500);
    }

    @Test
    void aRefusedCommandTheFixtureExpectedToSucceedFailsLoudlyWithTheReply() {
        GridFixture g = GridFixture.grid();
        assertThatThrownBy(() -> g.drain("nope")).isInstanceOf(AssertionError.class)
                .hasMessageContaining("NOT_FOUND").hasMessageContaining("server 'nope' is not a member");
        assertThatThrownBy(() -> g.refused(new CreateGridCommand("x"), ErrorCode.NOT_FOUND))
                .isInstanceOf(AssertionError.class).hasMessageContaining("CONFLICT");
        assertThatThrownBy(() -> g.refused(new CreateGridCommand("x"), ErrorCode.CONFLICT, "no such words"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no such words");
        assertThatThrownBy(() -> g.server("s1").refused(new DrainServerCommand("s1")))
                .isInstanceOf(AssertionError.class).hasMessageContaining("to be refused");
    }

    @Test
    void theLogReplaysToTheSameImageElsewhere() {
        GridFixture g = GridFixture.grid().server("s1").image("win11", 1, 1L << 30, "s1")
                .template("office", t -> t.baseImage("win11").persistent()).user("ann").grant("office", "ann")
                .allocate("office", "s1", 2).buildAll();
        g.login("ann", "office");
        ClusterImage elsewhere = ClusterImage.fromRecords(g.index(), g.clusterImage().at(), g.records());
        assertThat(elsewhere).isEqualTo(g.clusterImage());
        assertThat(g.replayLog()).isEqualTo(g.clusterImage());
    }

    @Test
    void buildAllCreatesAndStartsEveryAllocatedVm() {
        GridFixture g = GridFixture.grid().server("s1").image("win11", 1, 1L << 30, "s1")
                .template("office", t -> t.baseImage("win11")).allocate("office", "s1", 3);
        assertThat(g.lastReply()).isInstanceOf(Reply.Allocated.class);
        long before = g.index();
        g.buildAll();
        assertThat(g.index()).as("one entry for creation, one for start").isEqualTo(before + 2);
        assertThat(g.clusterImage().vms().all()).extracting(v -> v.state()).containsOnly(VmState.RUNNING);
        assertThat(g.clusterImage().vms().all()).extracting(v -> v.mac()).doesNotHaveDuplicates().allMatch(m -> !m.isEmpty());
        g.allocate("office", "s1", 1);
        assertThat(g.createAll()).hasSize(1);
        assertThat(g.clusterImage().vms().all()).extracting(v -> v.state()).contains(VmState.STOPPED);
        long now = g.index();
        g.buildAll();
        assertThat(g.index()).as("nothing allocated, nothing applied").isEqualTo(now);
    }

    @Test
    void templateSpecBuilderHasValidDefaultsAndCopiesSpecs() {
        TemplateSpec spec = TemplateSpecBuilder.template("office").build();
        assertThat(spec.baseImage()).isEqualTo("office");
        assertThat(spec.imageVersion()).isZero();
        assertThat(spec.pool()).isEqualTo(PoolKind.NON_PERSISTENT);
        assertThat(TemplateSpecBuilder.from(Samples.SPEC).build()).isEqualTo(Samples.SPEC);
        GridFixture g = GridFixture.grid().server("s1").template("office");
        assertThat(g.clusterImage().templates().get("office").orElseThrow().spec()).isEqualTo(spec);
    }
}
