package io.deskmesh.model.codec;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageVersionImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.TemplateImage;
import io.deskmesh.model.image.UserImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.SessionState;
import io.deskmesh.model.record.VmState;
import io.deskmesh.testkit.GridFixture;
import io.deskmesh.testkit.Grids;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotCodecTest {
    private static GridFixture rich;
    private static ClusterImage image;
    private static byte[] snapshot;

    @BeforeAll
    static void build() throws IOException {
        rich = Grids.rich();
        image = rich.clusterImage();
        snapshot = write(image);
    }

    private static byte[] write(ClusterImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        SnapshotCodec.write(image, out);
        return out.toByteArray();
    }

    private static ClusterImage read(byte[] bytes) throws IOException {
        return SnapshotCodec.read(new ByteArrayInputStream(bytes));
    }

    @Test
    void theRichGridReallyHasABitOfEverything() {
        assertThat(image.vms().all().stream().map(VmImage::state).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(EnumSet.allOf(VmState.class));
        assertThat(image.sessions().all().stream().map(s -> s.state()).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(EnumSet.allOf(SessionState.class));
        assertThat(image.servers().all()).anyMatch(ServerImage::draining).anyMatch(ServerImage::missing)
                .anyMatch(ServerImage::suspect).anyMatch(s -> s.draining() && s.missing())
                .anyMatch(s -> s.schedulable() && s.since() != s.joinedAt());
        assertThat(image.images().versions()).extracting(v -> v.ref().toString())
                .containsExactly("ubuntu@1", "win11@1", "win11@2");
        assertThat(image.images().versions().stream().flatMap(v -> image.images().replicas(v.ref()).values().stream()))
                .anyMatch(r -> r.landed()).anyMatch(r -> !r.landed());
        assertThat(image.images().versions().stream().mapToInt(v -> image.images().failures(v.ref()).size()).sum())
                .isEqualTo(2);
        assertThat(image.templates().all()).anyMatch(t -> t.updatedAt() != t.createdAt())
                .anyMatch(t -> t.spec().imageVersion() == 0)
                .extracting(TemplateImage::name).doesNotContain("old");
        assertThat(image.vms().owners("office")).hasSize(4);
        assertThat(image.vms().all()).anyMatch(v -> v.owner() != null && v.sessionId() == null)
                .anyMatch(v -> v.owner() != null && v.sessionId() != null);
        assertThat(image.sessions().all()).anyMatch(s -> s.server().equals("s5"));
        assertThat(image.sessions().demand("lab").unmetLogins()).isEqualTo(1);
        assertThat(image.sessions().demand("office").peakSessions()).isEqualTo(3);
        assertThat(image.accounts().groups()).contains("nobody");
        assertThat(image.accounts().members("nobody")).isEmpty();
        assertThat(image.accounts().user("eve")).map(UserImage::site).contains("site-c");
    }

    @Test
    void rereadImageEqualsTheOriginal() throws IOException {
        ClusterImage back = read(snapshot);
        assertThat(back.index()).isEqualTo(image.index()).isGreaterThan(50);
        assertThat(back.at()).isEqualTo(image.at());
        assertThat(back.toRecords()).isEqualTo(image.toRecords());
        assertThat(back).isEqualTo(image);
        assertThat(back.grid()).isEqualTo(image.grid());
        assertThat(back.servers()).isEqualTo(image.servers());
        assertThat(back.templates()).isEqualTo(image.templates());
        assertThat(back.images()).isEqualTo(image.images());
        assertThat(back.vms()).isEqualTo(image.vms());
        assertThat(back.sessions()).isEqualTo(image.sessions());
        assertThat(back.accounts()).isEqualTo(image.accounts());
    }

    @Test
    void rereadImageHasTheSameIndexes() throws IOException {
        // equals() compares the primary maps only; the derived indexes must be rebuilt too
        assertSameViews(read(snapshot), image);
    }

    @Test
    void writingTheRereadImageGivesIdenticalBytes() throws IOException {
        assertThat(write(read(snapshot))).isEqualTo(snapshot);
    }

    @Test
    void theWholeLogReplayedFromEmptyGivesTheSameImage() {
        ClusterImage replayed = rich.replayLog();
        assertThat(replayed).isEqualTo(image);
        assertSameViews(replayed, image);
    }

    @Test
    void emptyImageRoundTrips() throws IOException {
        assertThat(read(write(ClusterImage.EMPTY))).isEqualTo(ClusterImage.EMPTY);
    }

    static void assertSameViews(ClusterImage a, ClusterImage b) {
        Set<String> templates = new TreeSet<>();
        a.vms().all().forEach(v -> templates.add(v.template()));
        a.templates().all().forEach(t -> templates.add(t.name()));
        for (String t : templates) {
            assertThat(a.vms().placement(t)).as("placement of %s", t).isEqualTo(b.vms().placement(t));
            assertThat(a.vms().free(t)).as("free VMs of %s", t).isEqualTo(b.vms().free(t));
            assertThat(a.vms().owners(t)).as("owners of %s", t).isEqualTo(b.vms().owners(t));
            assertThat(a.sessions().onTemplate(t)).as("sessions of %s", t).isEqualTo(b.sessions().onTemplate(t));
            assertThat(a.accounts().grantsOf(t)).as("grants of %s", t).isEqualTo(b.accounts().grantsOf(t));
            assertThat(a.accounts().entitledUsers(t)).as("entitled to %s", t).isEqualTo(b.accounts().entitledUsers(t));
        }
        for (ServerImage s : a.servers().all()) {
            assertThat(a.vms().usage(s.name())).as("usage of %s", s.name()).isEqualTo(b.vms().usage(s.name()));
            assertThat(a.sessions().onServer(s.name())).as("sessions on %s", s.name()).isEqualTo(b.sessions().onServer(s.name()));
            assertThat(a.images().onServer(s.name())).as("replicas on %s", s.name()).isEqualTo(b.images().onServer(s.name()));
            assertThat(a.images().bytesOn(s.name())).isEqualTo(b.images().bytesOn(s.name()));
        }
        assertThat(a.vms().serversWithVms()).isEqualTo(b.vms().serversWithVms());
        for (UserImage u : a.accounts().users()) {
            assertThat(a.accounts().groupsOf(u.name())).as("groups of %s", u.name()).isEqualTo(b.accounts().groupsOf(u.name()));
            assertThat(a.accounts().entitlements(u.name())).isEqualTo(b.accounts().entitlements(u.name()));
            assertThat(a.sessions().ofUser(u.name())).as("sessions of %s", u.name()).isEqualTo(b.sessions().ofUser(u.name()));
        }
        for (ImageVersionImage v : a.images().versions()) {
            assertThat(a.images().latest(v.ref().image())).isEqualTo(b.images().latest(v.ref().image()));
        }
        // The indexes agree with the VMs themselves, not only with each other.
        for (VmImage vm : a.vms().all()) {
            assertThat(a.vms().on(vm.template(), vm.server())).contains(vm.vmId());
            assertThat(a.vms().freeOn(vm.template(), vm.server()).contains(vm.vmId())).as("%s free", vm.vmId())
                    .isEqualTo(vm.free());
            if (vm.owner() != null) {
                assertThat(a.vms().ownedBy(vm.template(), vm.owner())).contains(vm.vmId());
            }
        }
    }

    @Test
    void refusesEveryTruncation() {
        for (int len : new int[] {0, 3, 4, 7, 12, 27, 28, 31, snapshot.length / 2, snapshot.length - 9, snapshot.length - 8,
                snapshot.length - 1}) {
            byte[] cut = Arrays.copyOf(snapshot, len);
            assertThatThrownBy(() -> read(cut)).as("snapshot cut to %d of %d bytes", len, snapshot.length)
                    .isInstanceOf(CodecException.class);
        }
    }

    @Test
    void refusesAFlippedByteAnywhere() {
        long seed = 20_231_114L;
        Random random = new Random(seed);
        Set<Integer> positions = new TreeSet<>();
        for (int i = 0; i < 40; i++) {
            positions.add(i);
            positions.add(snapshot.length - 1 - i);
        }
        while (positions.size() < 600) {
            positions.add(random.nextInt(snapshot.length));
        }
        for (int pos : positions) {
            for (int mask : new int[] {0x01, 0x20, 0xff}) {
                byte[] bad = snapshot.clone();
                bad[pos] ^= (byte) mask;
                assertThatThrownBy(() -> read(bad))
                        .as("byte %d of %d xor 0x%x (seed %d)", pos, snapshot.length, mask, seed)
                        .isInstanceOf(CodecException.class);
            }
        }
    }

    @Test
    void namesWhatIsWrongWithTheHeader() {
        byte[] badMagic = snapshot.clone();
        badMagic[0] = 'X';
        assertThatThrownBy(() -> read(badMagic)).isInstanceOf(CodecException.class)
                .hasMessageContaining("not a DeskMesh snapshot");

        byte[] newerFormat = snapshot.clone();
        ByteBuffer.wrap(newerFormat).putInt(4, 2);
        assertThatThrownBy(() -> read(newerFormat)).isInstanceOf(CodecException.class)
                .hasMessageContaining("snapshot format 2");

        byte[] badIndex = snapshot.clone();
        ByteBuffer.wrap(badIndex).putLong(8, image.index() + 1);
        assertThatThrownBy(() -> read(badIndex)).isInstanceOf(CodecException.class)
                .hasMessageContaining("checksum mismatch");

        byte[] trailing = snapshot.clone();
        trailing[trailing.length - 1] ^= 1;
        assertThatThrownBy(() -> read(trailing)).isInstanceOf(CodecException.class)
                .hasMessageContaining("checksum mismatch");
    }
}
