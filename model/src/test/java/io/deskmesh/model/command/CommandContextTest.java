package io.deskmesh.model.command;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class CommandContextTest {
    @Test
    void idIsPrefixIndexAndSeqInBase36() {
        assertThat(new CommandContext(36, 0, 0).id("s", 0)).isEqualTo("s-10-0");
        assertThat(new CommandContext(100, 0, 37).id("office", 0)).isEqualTo("office-2s-11");
    }

    @Test
    void aPositiveCounterIsAppendedInBase36() {
        assertThat(new CommandContext(1, 0, 0).id("vm", 1)).isEqualTo("vm-1-0-1");
        assertThat(new CommandContext(1, 0, 0).id("vm", 35)).isEqualTo("vm-1-0-z");
    }

    @Test
    void idsDependOnlyOnIndexSeqAndCounterNotOnTime() {
        assertThat(new CommandContext(7, 1, 2).id("g", 0)).isEqualTo(new CommandContext(7, 999, 2).id("g", 0));
    }

    @Test
    void idsAreUniqueAcrossIndexesSeqsAndCounters() {
        Set<String> ids = new HashSet<>();
        for (long index = 1; index <= 40; index++) {
            for (int seq = 0; seq < 40; seq++) {
                for (int k = 0; k < 40; k++) {
                    assertThat(ids.add(new CommandContext(index, 0, seq).id("t", k))).isTrue();
                }
            }
        }
    }

    @Test
    void commandTypeIdsAreUniqueStableAndCoverEveryCommandClass() {
        Set<Integer> seen = new HashSet<>();
        Set<Class<?>> typed = new HashSet<>();
        for (CommandType t : CommandType.values()) {
            assertThat(seen.add(t.id())).as("id of %s", t).isTrue();
            assertThat(CommandType.byId(t.id())).isSameAs(t);
            typed.add(t.commandClass());
        }
        assertThat(typed).isEqualTo(Set.of(MeshCommand.class.getPermittedSubclasses()));
        assertThat(CommandType.CREATE_GRID.id()).isEqualTo(1);
        assertThat(CommandType.CREATE_GRANT.id()).isEqualTo(68);
        assertThat(CommandType.RESERVE_DESKTOP.id()).isEqualTo(80);
        assertThat(CommandType.EXPIRE_SESSION.id()).isEqualTo(84);
        assertThat(CommandType.byId(9999)).isNull();
    }
}
