package io.deskmesh.node;

import io.deskmesh.model.command.CommandProcessor;
import io.deskmesh.model.command.CreateGridCommand;
import io.deskmesh.model.command.JoinServerCommand;
import io.deskmesh.model.command.MarkServerMissingCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.record.Capacity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** node.json: the member addresses a restart asks, and files written before they existed. */
class NodeIdentityTest {
    @TempDir
    Path dir;

    @Test
    void aFileWithoutMembersLoadsWithNone() throws Exception {
        Files.writeString(dir.resolve("node.json"), "{\"name\":\"node1\",\"gridId\":\"g\",\"token\":\"t0123456789abcdef\"}");
        NodeIdentity id = NodeIdentity.load(dir).orElseThrow();
        assertThat(id).isEqualTo(new NodeIdentity("node1", "g", "t0123456789abcdef"));
        assertThat(id.members()).isEmpty();
    }

    @Test
    void membersSurviveASaveAndUnknownFieldsAreIgnored() throws Exception {
        NodeIdentity id = new NodeIdentity("node1", "g", "t0123456789abcdef", List.of("127.0.0.1:8081", "127.0.0.1:8082"));
        id.save(dir);
        assertThat(NodeIdentity.load(dir)).contains(id);
        Files.writeString(dir.resolve("node.json"), "{\"name\":\"node1\",\"gridId\":\"g\",\"token\":\"t0123456789abcdef\","
                + "\"members\":[\"h:1\"],\"later\":{\"x\":1}}");
        assertThat(NodeIdentity.load(dir).orElseThrow().members()).containsExactly("h:1");
        assertThat(id.toString()).doesNotContain("t0123456789abcdef");
    }

    @Test
    void theAddressBookFollowsTheImageAndListsAnsweringServersFirst() throws Exception {
        NodeIdentity id = new NodeIdentity("node1", "g", "t0123456789abcdef", List.of("127.0.0.1:9000"));
        id.save(dir);
        MemberAddresses book = new MemberAddresses(dir, id);

        ClusterImage image = apply(ClusterImage.EMPTY, new CreateGridCommand("g"), join("node2", "h2:80"));
        book.accept(image);
        assertThat(NodeIdentity.load(dir).orElseThrow().members()).as("an image without this server changes nothing")
                .containsExactly("127.0.0.1:9000");

        image = apply(image, join("node1", "h1:80"), join("node3", "h3:80"), join("node4", "h4:80"));
        book.accept(image);
        assertThat(NodeIdentity.load(dir).orElseThrow().members()).containsExactly("h2:80", "h3:80", "h4:80");

        image = apply(image, new MarkServerMissingCommand("node2", "test"));
        book.accept(image);
        NodeIdentity saved = NodeIdentity.load(dir).orElseThrow();
        assertThat(saved.members()).containsExactly("h3:80", "h4:80", "h2:80");
        assertThat(saved.token()).isEqualTo("t0123456789abcdef");
        assertThat(saved.gridId()).isEqualTo("g");
    }

    @Test
    void aRestartAsksTheKeptMembersThenJoinButNeverItself() {
        NodeIdentity id = new NodeIdentity("node1", "g", "t0123456789abcdef", List.of("127.0.0.1:8082", "127.0.0.1:8081"));
        NodeConfig config = new NodeConfig("node1", dir, "127.0.0.1:8081", "127.0.0.1:9081", "127.0.0.1:8083",
                "t0123456789abcdef", "sim", null, null, null);
        assertThat(NodeRestart.contacts(id, config)).containsExactly("127.0.0.1:8082", "127.0.0.1:8083");
    }

    private static JoinServerCommand join(String name, String address) {
        return new JoinServerCommand(name, "", address, new Capacity(8, 16_384, 100_000));
    }

    private static ClusterImage apply(ClusterImage image, MeshCommand... commands) {
        return CommandProcessor.apply(image, image.index() + 1, System.currentTimeMillis(), List.of(commands)).image();
    }
}
