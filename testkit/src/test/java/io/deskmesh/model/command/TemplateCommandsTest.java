package io.deskmesh.model.command;

import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.GrantRevokedRecord;
import io.deskmesh.model.record.TemplateDeletedRecord;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.model.record.TemplateUpdatedRecord;
import io.deskmesh.model.record.VmRetiredRecord;
import io.deskmesh.model.record.VmState;
import io.deskmesh.testkit.GridFixture;
import io.deskmesh.testkit.TemplateSpecBuilder;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

class TemplateCommandsTest {
    private static GridFixture withImages() {
        return GridFixture.grid().server("s1").image("win11", 1, 1L << 30, "s1").image("win11", 2, 1L << 30, "s1", 1);
    }

    private static TemplateImage template(GridFixture g, String name) {
        return g.clusterImage().templates().get(name).orElseThrow();
    }

    private static Reply.Failed refusedSpec(GridFixture g, UnaryOperator<TemplateSpecBuilder> spec, ErrorCode code,
                                            String... parts) {
        return g.refused(new CreateTemplateCommand(spec.apply(TemplateSpecBuilder.template("t").baseImage("win11")).build()),
                code, parts);
    }

    @Test
    void createValidatesEveryValueAndNamesIt() {
        GridFixture g = withImages();
        g.refused(new CreateTemplateCommand(null), ErrorCode.INVALID, "template spec is missing");
        refusedSpec(g, t -> t.name("Office!"), ErrorCode.INVALID, "template name 'Office!' is invalid");
        refusedSpec(g, t -> t.baseImage("Win 11"), ErrorCode.INVALID, "base image name 'Win 11' is invalid");
        refusedSpec(g, t -> t.cpus(0), ErrorCode.INVALID, "cpus must be between 1 and 256, was 0");
        refusedSpec(g, t -> t.memoryMb(32), ErrorCode.INVALID, "memoryMb must be between 64", "was 32");
        refusedSpec(g, t -> t.spare(-1), ErrorCode.INVALID, "spareVms must be between 0", "was -1");
        refusedSpec(g, t -> t.minReplicas(0), ErrorCode.INVALID, "minReplicas must be between 1 and 64, was 0");
        refusedSpec(g, t -> t.idleTimeoutSeconds(-5), ErrorCode.INVALID, "idleTimeoutSeconds", "was -5");
        refusedSpec(g, t -> t.disconnectTimeoutSeconds(-7), ErrorCode.INVALID, "disconnectTimeoutSeconds", "was -7");
        refusedSpec(g, t -> t.imageVersion(-1), ErrorCode.INVALID, "imageVersion", "was -1");
        refusedSpec(g, t -> t.desired(2_000_000), ErrorCode.INVALID, "desiredVms must be between 0 and 1000000, was 2000000");
        refusedSpec(g, t -> t.desired(2).spare(3), ErrorCode.INVALID, "spareVms (3) cannot exceed desiredVms (2)");
        refusedSpec(g, t -> t.imageVersion(9), ErrorCode.NOT_FOUND, "base image 'win11' has no version 9");
        assertThat(g.clusterImage().templates().size()).isZero();

        // auto-sized pools may keep spares without a fixed count
        g.template("t", t -> t.baseImage("win11").desiredAuto().spare(3));
        assertThat(template(g, "t").spec().desiredVms()).isEqualTo(DesiredVms.AUTO);
        assertThat(g.lastReply()).isEqualTo(new Reply.Created("t"));
        refusedSpec(g, t -> t, ErrorCode.CONFLICT, "template 't' already exists");
    }

    @Test
    void imageVersionZeroMeansTheLatestRegisteredVersion() {
        GridFixture g = withImages().template("office", t -> t.baseImage("win11"))
                .template("pinned", t -> t.baseImage("win11", 1));
        assertThat(template(g, "office").spec().imageVersion()).isEqualTo(2);
        assertThat(template(g, "pinned").spec().imageVersion()).isEqualTo(1);
    }

    @Test
    void aVersionWithNoCopyLeftCannotBeChosen() {
        GridFixture g = withImages().template("office", t -> t.baseImage("win11", 2));
        g.ok(new io.deskmesh.model.command.RemoveReplicaCommand("win11", 1, "s1"));
        assertThat(g.clusterImage().images().version(new io.deskmesh.model.image.ImageRef("win11", 1))).isPresent();

        g.refused(new UpdateTemplateCommand(TemplateSpecBuilder.from(template(g, "office").spec()).imageVersion(1).build()),
                ErrorCode.CONFLICT, "win11@1 has no copy left on any server");
        g.refused(new CreateTemplateCommand(TemplateSpecBuilder.template("old").baseImage("win11", 1).build()),
                ErrorCode.CONFLICT, "import it again");
        g.ok(new UpdateTemplateCommand(TemplateSpecBuilder.from(template(g, "office").spec()).imageVersion(2).build()));
    }

    @Test
    void templatesWaitingForAnImageArePickedUpWhenItIsRegistered() {
        GridFixture g = GridFixture.grid().server("s1").advance(1_000)
                .template("a", t -> t.baseImage("rhel")).template("b", t -> t.baseImage("rhel"))
                .template("c", t -> t.baseImage("other"));
        assertThat(template(g, "a").spec().imageVersion()).isZero();

        g.advance(1_000).image("rhel", 3, 1L << 30, "s1");
        assertThat(g.lastReply()).isEqualTo(new Reply.Created("rhel@3"));
        assertThat(g.lastRecords()).filteredOn(r -> r instanceof TemplateUpdatedRecord).hasSize(2);
        assertThat(template(g, "a").spec().imageVersion()).isEqualTo(3);
        assertThat(template(g, "a").updatedAt()).isEqualTo(g.now());
        assertThat(template(g, "b").spec().imageVersion()).isEqualTo(3);
        assertThat(template(g, "c").spec().imageVersion()).isZero();

        g.image("rhel", 4, 1L << 30, "s1", 3);
        assertThat(g.lastRecords()).as("a template already on a version is not moved by registration")
                .noneMatch(r -> r instanceof TemplateUpdatedRecord);
        assertThat(template(g, "a").spec().imageVersion()).isEqualTo(3);
    }

    @Test
    void updateReplacesTheSpecAndIsANoOpWhenNothingChanges() {
        GridFixture g = withImages().template("office", t -> t.baseImage("win11", 1)).advance(5_000);
        TemplateSpec before = template(g, "office").spec();

        g.ok(new UpdateTemplateCommand(before));
        assertThat(g.lastRecords()).isEmpty();
        g.ok(new UpdateTemplateCommand(TemplateSpecBuilder.from(before).imageVersion(0).build()));
        assertThat(g.lastRecords()).as("version 0 keeps the current version").isEmpty();

        g.updateTemplate("office", t -> t.desired(20).spare(2));
        assertThat(template(g, "office").spec().desiredVms()).isEqualTo(DesiredVms.of(20));
        assertThat(template(g, "office").spec().imageVersion()).isEqualTo(1);
        assertThat(template(g, "office").createdAt()).isLessThan(template(g, "office").updatedAt());

        g.updateTemplate("office", t -> t.imageVersion(2));
        assertThat(template(g, "office").spec().imageVersion()).isEqualTo(2);

        g.image("ubuntu", 5, 1L << 30, "s1").updateTemplate("office", t -> t.baseImage("ubuntu", 0));
        assertThat(template(g, "office").imageRef().toString()).as("a new base image at version 0 takes its latest")
                .isEqualTo("ubuntu@5");

        g.refused(new UpdateTemplateCommand(TemplateSpecBuilder.template("nope").baseImage("win11").build()),
                ErrorCode.NOT_FOUND, "template 'nope' does not exist");
        g.refused(new UpdateTemplateCommand(TemplateSpecBuilder.from(before).cpus(999).build()), ErrorCode.INVALID,
                "cpus must be between 1 and 256, was 999");
    }

    @Test
    void deleteRefusesLiveSessionsThenRevokesGrantsAndRetiresVms() {
        GridFixture g = withImages().template("office", t -> t.baseImage("win11"))
                .user("ann").user("bob").group("fin", "bob").grant("office", "ann").grantGroup("office", "fin")
                .allocate("office", "s1", 3).buildAll();
        Reply.Reserved r = g.login("ann", "office");
        g.refused(new DeleteTemplateCommand("office"), ErrorCode.CONFLICT, "template 'office' has 1 live session(s)",
                "log them off");
        g.endSession(r.sessionId());
        g.retire(g.vmIds("office").get(2));

        g.deleteTemplate("office");
        assertThat(g.lastRecords()).filteredOn(rec -> rec instanceof GrantRevokedRecord).hasSize(2);
        assertThat(g.lastRecords()).as("an already retiring VM is not retired again")
                .filteredOn(rec -> rec instanceof VmRetiredRecord).hasSize(2);
        assertThat(g.lastRecords()).last().isEqualTo(new TemplateDeletedRecord("office", g.now()));
        assertThat(g.clusterImage().templates().contains("office")).isFalse();
        assertThat(g.clusterImage().accounts().grants()).isEmpty();
        assertThat(g.clusterImage().vms().all()).extracting(v -> v.state()).containsOnly(VmState.RETIRING);
        assertThat(g.clusterImage().vms().free("office")).isEmpty();

        g.refused(new DeleteTemplateCommand("office"), ErrorCode.NOT_FOUND, "template 'office' does not exist");
    }
}
