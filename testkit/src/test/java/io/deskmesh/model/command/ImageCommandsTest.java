package io.deskmesh.model.command;

import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ReplicaImage;
import io.deskmesh.model.record.ImageVersionRemovedRecord;
import io.deskmesh.model.record.ReplicaRemovedRecord;
import io.deskmesh.testkit.GridFixture;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ImageCommandsTest {
    private static final long GIB = 1L << 30;
    private static final ImageRef WIN1 = new ImageRef("win11", 1);

    private static GridFixture grid() {
        return GridFixture.grid().server("s1").server("s2").server("s3").image("win11", 1, 10 * GIB, "s1");
    }

    @Test
    void registerValidatesAndLandsTheVersionOnItsServer() {
        GridFixture g = GridFixture.grid().server("s1");
        String sha = GridFixture.sha256("x");
        g.refused(new RegisterImageVersionCommand("Win 11", 1, 1, sha, 0, "s1"), ErrorCode.INVALID,
                "base image name 'Win 11' is invalid");
        g.refused(new RegisterImageVersionCommand("win11", 0, 1, sha, 0, "s1"), ErrorCode.INVALID,
                "image version must be between 1", "was 0");
        g.refused(new RegisterImageVersionCommand("win11", 1, 0, sha, 0, "s1"), ErrorCode.INVALID,
                "image size in bytes must be between 1", "was 0");
        g.refused(new RegisterImageVersionCommand("win11", 1, 1, "ABC", 0, "s1"), ErrorCode.INVALID, "sha256 'ABC' is invalid");
        g.refused(new RegisterImageVersionCommand("win11", 2, 1, sha, 1, "s1"), ErrorCode.NOT_FOUND,
                "parent version 1 of base image 'win11' is not registered");
        g.refused(new RegisterImageVersionCommand("win11", 1, 1, sha, 0, "s9"), ErrorCode.NOT_FOUND, "server 's9'");
        g.server("s2").missing("s2");
        g.refused(new RegisterImageVersionCommand("win11", 1, 1, sha, 0, "s2"), ErrorCode.SERVER_UNAVAILABLE,
                "server 's2' is missing");

        g.ok(new RegisterImageVersionCommand("win11", 1, 5 * GIB, sha, 0, "s1"));
        assertThat(g.clusterImage().images().hasLanded(WIN1, "s1")).isTrue();
        assertThat(g.clusterImage().images().version(WIN1).orElseThrow().sha256()).isEqualTo(sha);
        g.refused(new RegisterImageVersionCommand("win11", 1, 1, sha, 0, "s1"), ErrorCode.CONFLICT,
                "base image win11@1 is already registered");
    }

    @Test
    void transferNeedsASchedulableTargetAndALiveNonDrainingSourceHoldingTheImage() {
        GridFixture g = grid().server("s4").server("s5");
        g.refused(new StartReplicaTransferCommand("win11", 7, "s2", "s1"), ErrorCode.NOT_FOUND,
                "base image version win11@7 is not registered");
        g.refused(new StartReplicaTransferCommand("win11", 1, "s9", "s1"), ErrorCode.NOT_FOUND, "server 's9'");
        g.refused(new StartReplicaTransferCommand("win11", 1, "s2", "s3"), ErrorCode.SERVER_UNAVAILABLE,
                "server 's3' cannot serve win11@1");

        g.drain("s2");
        g.refused(new StartReplicaTransferCommand("win11", 1, "s2", "s1"), ErrorCode.SERVER_UNAVAILABLE,
                "server 's2' is draining");
        g.missing("s4");
        g.refused(new StartReplicaTransferCommand("win11", 1, "s4", "s1"), ErrorCode.SERVER_UNAVAILABLE,
                "server 's4' is missing");
        g.suspect("s5");
        g.refused(new StartReplicaTransferCommand("win11", 1, "s5", "s1"), ErrorCode.SERVER_UNAVAILABLE,
                "server 's5' is active (suspect)");

        g.drain("s1");
        g.refused(new StartReplicaTransferCommand("win11", 1, "s3", "s1"), ErrorCode.SERVER_UNAVAILABLE,
                "server 's1' cannot serve win11@1", "not draining");
        g.resume("s1");

        g.transfer("win11", 1, "s3", "s1");
        assertThat(g.clusterImage().images().replicas(WIN1).get("s3"))
                .isEqualTo(new ReplicaImage(WIN1, "s3", false, "s1", g.now()));
        g.refused(new StartReplicaTransferCommand("win11", 1, "s3", "s1"), ErrorCode.CONFLICT,
                "server 's3' already holds or is fetching win11@1");
        g.refused(new StartReplicaTransferCommand("win11", 1, "s1", "s1"), ErrorCode.CONFLICT, "server 's1' already holds");
    }

    @Test
    void transferNeedsDiskForTheImageOnTheTarget() {
        GridFixture g = grid().server("tiny", "site-a", 4, 8_192, 10_000);
        g.refused(new StartReplicaTransferCommand("win11", 1, "tiny", "s1"), ErrorCode.CAPACITY, "server 'tiny' has "
                + 10_000L * 1024 * 1024 + " bytes of disk free", "win11@1 needs " + 10 * GIB);
        g.image("small", 1, GIB, "s1").replica("small", 1, "tiny");
        assertThat(g.clusterImage().images().bytesOn("tiny")).isEqualTo(GIB);
    }

    @Test
    void landAndFailAreIdempotentHostReports() {
        GridFixture g = grid().transfer("win11", 1, "s2");
        g.transferFailed("win11", 1, "s2", "timeout");
        assertThat(g.clusterImage().images().replicas(WIN1)).doesNotContainKey("s2");
        assertThat(g.clusterImage().images().failures(WIN1)).containsKey("s2");

        g.transfer("win11", 1, "s2").run(new LandReplicaCommand("win11", 1, "s2"));
        assertThat(g.lastRecords()).hasSize(1);
        assertThat(g.clusterImage().images().failures(WIN1)).isEmpty();
        g.run(new LandReplicaCommand("win11", 1, "s2"));
        assertThat(g.lastRecords()).isEmpty();
        g.transferFailed("win11", 1, "s2", "late report");
        assertThat(g.lastRecords()).as("a failure reported after landing is ignored").isEmpty();
        assertThat(g.clusterImage().images().hasLanded(WIN1, "s2")).isTrue();

        g.refused(new LandReplicaCommand("win11", 1, "s9"), ErrorCode.NOT_FOUND, "server 's9'");
        g.refused(new FailReplicaTransferCommand("win11", 3, "s2", "x"), ErrorCode.NOT_FOUND, "win11@3");
    }

    @Test
    void aReplicaAVmUsesCannotBeRemovedEvenAfterTheTemplateMovedOn() {
        GridFixture g = grid().replica("win11", 1, "s2")
                .template("office", t -> t.baseImage("win11")).allocate("office", "s2", 1).buildAll();
        String vm = g.vmIds("office").get(0);
        g.refused(new RemoveReplicaCommand("win11", 1, "s2"), ErrorCode.CONFLICT,
                "VM '" + vm + "' on server 's2' uses win11@1");

        // the template moves to version 2; the VM keeps version 1 until it regenerates
        g.image("win11", 2, 10 * GIB, "s1", 1).replica("win11", 2, "s2").updateTemplate("office", t -> t.imageVersion(2));
        assertThat(g.vm(vm).imageVersion()).isEqualTo(1);
        g.refused(new RemoveReplicaCommand("win11", 1, "s2"), ErrorCode.CONFLICT, "VM '" + vm + "'", "uses win11@1");

        g.regenerated(vm);
        assertThat(g.vm(vm).imageVersion()).isEqualTo(2);
        g.run(new RemoveReplicaCommand("win11", 1, "s2"));
        assertThat(g.lastRecords()).containsExactly(new ReplicaRemovedRecord("win11", 1, "s2", g.now()));
        g.run(new RemoveReplicaCommand("win11", 1, "s2"));
        assertThat(g.lastRecords()).as("removing a replica a server does not hold is a no-op").isEmpty();
    }

    @Test
    void aVersionIsRemovedOnlyWhenNoTemplateOrVmUsesIt() {
        GridFixture g = grid().replica("win11", 1, "s2").transfer("win11", 1, "s3")
                .template("office", t -> t.baseImage("win11", 1)).allocate("office", "s1", 1);
        String vm = g.vmIds("office").get(0);
        g.refused(new RemoveImageVersionCommand("win11", 1), ErrorCode.CONFLICT, "template 'office' uses win11@1");
        g.image("win11", 2, GIB, "s1", 1).updateTemplate("office", t -> t.imageVersion(2));
        g.refused(new RemoveImageVersionCommand("win11", 1), ErrorCode.CONFLICT, "VM '" + vm + "' still uses win11@1");
        g.run(new ReportVmDeletedCommand(vm));

        g.run(new RemoveImageVersionCommand("win11", 1));
        assertThat(g.lastRecords()).hasSize(4).last().isEqualTo(new ImageVersionRemovedRecord("win11", 1, g.now()));
        assertThat(g.clusterImage().images().version(WIN1)).isEmpty();
        assertThat(g.clusterImage().images().latest("win11").orElseThrow().ref()).isEqualTo(new ImageRef("win11", 2));
        g.refused(new RemoveImageVersionCommand("win11", 1), ErrorCode.NOT_FOUND, "win11@1 is not registered");
    }
}
