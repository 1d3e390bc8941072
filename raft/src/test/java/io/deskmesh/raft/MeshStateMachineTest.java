package io.deskmesh.raft;

import io.deskmesh.model.codec.CommandCodec;
import io.deskmesh.model.command.CreateGridCommand;
import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.record.Role;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.StateMachineLogEntryProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.raftlog.LogProtoUtils;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class MeshStateMachineTest {
    private final AtomicLong clock = new AtomicLong(1_000);
    private final MeshStateMachine sm = new MeshStateMachine("t", clock::get);

    @AfterEach
    void close() throws IOException {
        sm.close();
    }

    @Test
    void appliesAnEntryAndAnswersWithItsIndexAndReplies() throws Exception {
        Message m = apply(1, 5, 7_000, List.of(new CreateGridCommand("g1"), new CreateGridCommand("g2")));

        ReplyMessage.Committed committed = ReplyMessage.decode(m.getContent().toByteArray());
        assertThat(committed.index()).isEqualTo(5);
        assertThat(committed.replies()).hasSize(2);
        assertThat(committed.replies().get(0)).isEqualTo(new Reply.Created("g1"));
        assertThat(committed.replies().get(1)).isInstanceOf(Reply.Failed.class);
        assertThat(sm.image().index()).isEqualTo(5);
        assertThat(sm.image().at()).isEqualTo(7_000);
        assertThat(sm.image().grid().gridId()).isEqualTo("g1");
        assertThat(sm.appliedIndex()).isEqualTo(5);
        assertThat(sm.entriesApplied()).isEqualTo(1);
        assertThat(sm.commandsApplied()).isEqualTo(2);
    }

    @Test
    void aFollowerAppliesTheEntryButEncodesNoRepliesNobodyReads() throws Exception {
        Message m = apply(RaftPeerRole.FOLLOWER, 1, 5, 7_000, List.of(new CreateGridCommand("g1")));

        assertThat(m.getContent().isEmpty()).isTrue();
        assertThat(sm.image().grid().gridId()).isEqualTo("g1");
        assertThat(sm.appliedIndex()).isEqualTo(5);
    }

    @Test
    void metadataEntriesMoveTheAppliedIndexButNotTheImage() throws Exception {
        apply(1, 1, 10, List.of(new CreateGridCommand("g")));
        CompletableFuture<Long> waiting = sm.awaitApplied(3);
        assertThat(waiting).isNotDone();

        sm.notifyTermIndexUpdated(1, 3);

        assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(sm.appliedIndex()).isEqualTo(3);
        assertThat(sm.image().index()).isEqualTo(1);
    }

    @Test
    void theLeaderStampsItsTimeAndNeverGoesBackwards() throws Exception {
        clock.set(5_000);
        assertThat(stampedAt(sm.startTransaction(request(List.of(new CreateGridCommand("g")))))).isEqualTo(5_000);
        clock.set(4_000); // the wall clock stepped back
        assertThat(stampedAt(sm.startTransaction(request(List.of(new CreateGridCommand("g")))))).isEqualTo(5_000);

        apply(1, 1, 9_000, List.of(new CreateGridCommand("g"))); // an earlier leader's clock ran ahead
        assertThat(stampedAt(sm.startTransaction(request(List.of(new CreateGridCommand("g")))))).isEqualTo(9_000);
        clock.set(12_000);
        assertThat(stampedAt(sm.startTransaction(request(List.of(new CreateGridCommand("g")))))).isEqualTo(12_000);
    }

    @Test
    void theLeaderRefusesAnEntryItCannotDecode() throws Exception {
        TransactionContext trx = sm.startTransaction(rawRequest("not json".getBytes()));
        assertThat(trx.getException()).isNotNull();
        assertThat(sm.failure()).isEmpty();
    }

    @Test
    void aCommittedEntryThatCannotBeAppliedFailsTheNodeInsteadOfSkippingIt() throws Exception {
        apply(1, 1, 10, List.of(new CreateGridCommand("g")));
        CompletableFuture<Long> waiting = sm.awaitApplied(5);
        ClusterImage before = sm.image();

        assertThatThrownBy(() -> sm.applyTransaction(trx(1, 2, "{\"v\":99}".getBytes())))
                .isInstanceOf(RuntimeException.class);

        assertThat(sm.failure()).hasValueSatisfying(reason -> assertThat(reason)
                .contains("(t:1, i:2)").contains("could not be applied").contains("stays at index 1"));
        assertThat(sm.image()).isSameAs(before);
        assertThat(waiting).failsWithin(Duration.ofSeconds(5));
        assertThatThrownBy(() -> sm.applyTransaction(trx(1, 3, CommandCodec.encodeEntry(20,
                List.of(new CreateUserCommand("u", "h", Role.USER, null))))))
                .hasMessageContaining("after an earlier failure");
        assertThat(sm.startTransaction(request(List.of(new CreateGridCommand("x")))).getException())
                .hasMessageContaining("has failed");
        assertThat(sm.awaitApplied(1)).isCompletedExceptionally();
    }

    @Test
    void listenersRunOffTheApplyThreadAndGetTheLatestImage() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Long> seen = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        sm.addImageListener(image -> {
            threads.add(Thread.currentThread().getName());
            try {
                release.await(); // a slow reconciler
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            seen.add(image.index());
        });
        apply(1, 1, 10, List.of(new CreateGridCommand("g")));
        for (int i = 2; i <= 50; i++) {
            apply(1, i, 10 + i, List.of(new CreateUserCommand("u" + i, "hash", Role.USER, null)));
        }
        // all 50 applies returned although the listener is still blocked
        assertThat(sm.image().index()).isEqualTo(50);
        release.countDown();

        await().atMost(Duration.ofSeconds(5)).until(() -> !seen.isEmpty() && seen.get(seen.size() - 1) == 50);
        assertThat(seen).isSorted().hasSizeLessThan(50);
        assertThat(threads).allMatch(name -> name.startsWith("deskmesh-image-listeners-"));
    }

    @Test
    void replyMessagesRoundTrip() {
        List<Reply> replies = List.of(Reply.DONE, new Reply.Created("x"), new Reply.Allocated(List.of("vm-1")));
        ReplyMessage.Committed decoded = ReplyMessage.decode(ReplyMessage.encode(42, replies));
        assertThat(decoded.index()).isEqualTo(42);
        assertThat(decoded.replies()).isEqualTo(replies);
        assertThatThrownBy(() -> ReplyMessage.decode(new byte[3])).hasMessageContaining("8-byte log index");
    }

    private Message apply(long term, long index, long at, List<? extends MeshCommand> commands) throws Exception {
        return apply(RaftPeerRole.LEADER, term, index, at, commands);
    }

    private Message apply(RaftPeerRole role, long term, long index, long at, List<? extends MeshCommand> commands)
            throws Exception {
        return sm.applyTransaction(trx(role, term, index, CommandCodec.encodeEntry(at, commands))).get(5, TimeUnit.SECONDS);
    }

    private TransactionContext trx(long term, long index, byte[] data) {
        return trx(RaftPeerRole.FOLLOWER, term, index, data);
    }

    private TransactionContext trx(RaftPeerRole role, long term, long index, byte[] data) {
        StateMachineLogEntryProto body = StateMachineLogEntryProto.newBuilder()
                .setLogData(ByteString.copyFrom(data)).build();
        LogEntryProto entry = LogProtoUtils.toLogEntryProto(body, term, index);
        return TransactionContext.newBuilder().setServerRole(role).setStateMachine(sm)
                .setLogEntry(entry).build();
    }

    private static RaftClientRequest request(List<? extends MeshCommand> commands) {
        return rawRequest(CommandCodec.encodeEntry(0, commands));
    }

    private static RaftClientRequest rawRequest(byte[] data) {
        return RaftClientRequest.newBuilder()
                .setClientId(ClientId.randomId())
                .setServerId(RaftPeerId.valueOf("t"))
                .setGroupId(MeshRaftServer.groupIdFor("test"))
                .setCallId(1)
                .setMessage(Message.valueOf(ByteString.copyFrom(data)))
                .setType(RaftClientRequest.writeRequestType())
                .build();
    }

    private static long stampedAt(TransactionContext trx) {
        assertThat(trx.getException()).isNull();
        return CommandCodec.decodeEntry(trx.getStateMachineLogEntry().getLogData().toByteArray()).at();
    }
}
