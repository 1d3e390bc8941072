package io.deskmesh.model.record;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class RecordTypeTest {
    @Test
    void idsAreUniqueAndLookUpBothWays() {
        Set<Integer> seen = new HashSet<>();
        for (RecordType t : RecordType.values()) {
            assertThat(seen.add(t.id())).as("id %d of %s is used once", t.id(), t).isTrue();
            assertThat(RecordType.byId(t.id())).isSameAs(t);
        }
    }

    @Test
    void idsAreStable() {
        // Written into every log and snapshot: renumbering any of these breaks existing grids.
        assertThat(RecordType.GRID_CREATED.id()).isEqualTo(1);
        assertThat(RecordType.SERVER_JOINED.id()).isEqualTo(2);
        assertThat(RecordType.SERVER_SUSPECTED.id()).isEqualTo(9);
        assertThat(RecordType.TEMPLATE_CREATED.id()).isEqualTo(20);
        assertThat(RecordType.IMAGE_VERSION_REGISTERED.id()).isEqualTo(30);
        assertThat(RecordType.REPLICA_LANDED.id()).isEqualTo(32);
        assertThat(RecordType.VM_ALLOCATED.id()).isEqualTo(40);
        assertThat(RecordType.VM_DIRTY.id()).isEqualTo(49);
        assertThat(RecordType.USER_CREATED.id()).isEqualTo(60);
        assertThat(RecordType.GRANT_REVOKED.id()).isEqualTo(68);
        assertThat(RecordType.SESSION_RESERVED.id()).isEqualTo(80);
        assertThat(RecordType.POOL_DEMAND_OBSERVED.id()).isEqualTo(86);
        assertThat(RecordType.AUDIT_EVENT.id()).isEqualTo(90);
        assertThat(RecordType.TOKEN_REVOKED.id()).isEqualTo(91);
        assertThat(RecordType.values()).hasSize(46);
    }

    @Test
    void unknownIdsAreNull() {
        assertThat(RecordType.byId(0)).isNull();
        assertThat(RecordType.byId(10)).isNull();
        assertThat(RecordType.byId(9999)).isNull();
    }

    @Test
    void everyPermittedRecordClassHasExactlyOneType() {
        Set<Class<?>> permitted = Set.of(MeshRecord.class.getPermittedSubclasses());
        Set<Class<?>> typed = new HashSet<>();
        Arrays.stream(RecordType.values()).forEach(t -> assertThat(typed.add(t.recordClass())).as("%s", t).isTrue());
        assertThat(typed).isEqualTo(permitted);
    }

    @Test
    void aRecordKnowsItsType() {
        assertThat(new VmDirtyRecord("vm-1", 1).type()).isEqualTo(RecordType.VM_DIRTY);
        assertThat(new GridCreatedRecord("g", 1).type()).isEqualTo(RecordType.GRID_CREATED);
    }
}
