package io.deskmesh.model.command;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.record.MeshRecord;
import io.deskmesh.model.record.ServerJoinedRecord;
import io.deskmesh.testkit.GridFixture;
import io.deskmesh.testkit.Grids;
import io.deskmesh.testkit.Samples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CommandProcessorTest {
    /** The command with every reference null and every number 0, through its canonical constructor. */
    private static MeshCommand allNull(CommandType type) throws ReflectiveOperationException {
        Class<? extends MeshCommand> c = type.commandClass();
        RecordComponent[] components = c.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            args[i] = types[i] == int.class ? (Object) 0 : types[i] == long.class ? (Object) 0L
                    : types[i] == boolean.class ? (Object) false : null;
        }
        Constructor<? extends MeshCommand> ctor = c.getDeclaredConstructor(types);
        return ctor.newInstance(args);
    }

    @ParameterizedTest
    @EnumSource(CommandType.class)
    void aCommandWithNullValuesIsAnsweredNeverThrown(CommandType type) throws ReflectiveOperationException {
        MeshCommand command = allNull(type);
        ClusterImage image = Grids.rich().clusterImage();
        CommandResult result = CommandProcessor.generate(image, command, new CommandContext(image.index() + 1, image.at(), 0));
        if (result.reply() instanceof Reply.Failed f) {
            assertThat(f.code()).isIn(ErrorCode.INVALID, ErrorCode.NOT_FOUND);
            assertThat(f.message()).isNotBlank();
            assertThat(result.records()).isEmpty();
        } else {
            assertThat(result.records()).as("%s with nulls may only be a no-op", type).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(CommandType.class)
    void everySampleCommandOnAnEmptyImageIsAnsweredNeverThrown(CommandType type) {
        CommandResult result = CommandProcessor.generate(ClusterImage.EMPTY, Samples.command(type),
                new CommandContext(1, GridFixture.EPOCH, 0));
        assertThat(result.reply()).isNotNull();
        // only the grid's creation can succeed on an empty image; everything else names something absent
        if (type != CommandType.CREATE_GRID && type != CommandType.CREATE_USER && type != CommandType.EXPIRE_SESSION
                && type != CommandType.REPORT_VM_DELETED && type != CommandType.CREATE_GROUP
                && type != CommandType.JOIN_SERVER && type != CommandType.RECORD_AUDIT
                && type != CommandType.REVOKE_TOKEN) {
            assertThat(result.reply()).isInstanceOf(Reply.Failed.class);
        }
    }

    @Test
    void aNullCommandIsInvalid() {
        CommandResult result = CommandProcessor.generate(ClusterImage.EMPTY, null, new CommandContext(1, 1, 0));
        assertThat(result.reply()).isEqualTo(new Reply.Failed(ErrorCode.INVALID, "no command"));
    }

    @Test
    void generateChangesNothingAndApplyStampsIndexAndTime() {
        ClusterImage empty = ClusterImage.EMPTY;
        CommandResult generated = CommandProcessor.generate(empty, new CreateGridCommand("g"), new CommandContext(1, 50, 0));
        assertThat(generated.records()).hasSize(1);
        assertThat(empty.grid().exists()).isFalse();

        CommandProcessor.BatchResult batch = CommandProcessor.apply(empty, 7, 50, List.of(new CreateGridCommand("g"),
                new JoinServerCommand("s1", null, "s1:1", Samples.CAPACITY), new CreateGridCommand("again")));
        assertThat(batch.image().index()).isEqualTo(7);
        assertThat(batch.image().at()).isEqualTo(50);
        assertThat(batch.replies()).hasSize(3);
        assertThat(batch.replies().get(0)).isEqualTo(new Reply.Created("g"));
        assertThat(batch.replies().get(1)).isEqualTo(Reply.DONE);
        assertThat(batch.replies().get(2)).isInstanceOf(Reply.Failed.class);
        assertThat(batch.records()).hasSize(2).element(1).isEqualTo(new ServerJoinedRecord("s1", "", "s1:1", Samples.CAPACITY, 50));
    }

    @Test
    void laterCommandsOfOneEntrySeeEarlierOnes() {
        CommandProcessor.BatchResult batch = CommandProcessor.apply(ClusterImage.EMPTY, 1, 5, List.of(
                new JoinServerCommand("s1", "a", "s1:1", Samples.CAPACITY), new DrainServerCommand("s1")));
        assertThat(batch.replies()).containsOnly(Reply.DONE);
        assertThat(batch.image().servers().get("s1").orElseThrow().draining()).isTrue();
    }

    @Test
    void anEntryStampedEarlierThanTheImageKeepsTheImagesTime() {
        GridFixture g = GridFixture.grid().advance(10_000).server("s1");
        CommandProcessor.BatchResult batch = CommandProcessor.apply(g.clusterImage(), g.index() + 1, GridFixture.EPOCH,
                List.of(new DrainServerCommand("s1")));
        assertThat(batch.image().at()).isEqualTo(GridFixture.EPOCH + 10_000);
        List<MeshRecord> records = batch.records();
        assertThat(records).singleElement().extracting(MeshRecord::at).isEqualTo(GridFixture.EPOCH);
    }
}
