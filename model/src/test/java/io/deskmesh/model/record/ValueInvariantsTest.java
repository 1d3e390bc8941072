package io.deskmesh.model.record;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ValueInvariantsTest {
    @Test
    void desiredVmsIsAFixedCountOrAuto() {
        assertThat(DesiredVms.of(5).toString()).isEqualTo("5");
        assertThat(DesiredVms.AUTO.toString()).isEqualTo("auto");
        assertThatThrownBy(() -> DesiredVms.of(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> new DesiredVms(3, true)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("3");
    }

    @Test
    void capacityIsNeverNegative() {
        assertThatThrownBy(() -> new Capacity(1, -5, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("memoryMb=-5");
        assertThat(Capacity.ZERO.cpus()).isZero();
    }

    @Test
    void templateSpecWithersChangeOneValue() {
        TemplateSpec s = new TemplateSpec("t", 1, 1024, "img", 0, PoolKind.PERSISTENT, DesiredVms.of(2), 0, 1, 0, 0);
        assertThat(s.withImageVersion(4)).isEqualTo(
                new TemplateSpec("t", 1, 1024, "img", 4, PoolKind.PERSISTENT, DesiredVms.of(2), 0, 1, 0, 0));
        assertThat(s.withDesiredVms(DesiredVms.AUTO).desiredVms()).isEqualTo(DesiredVms.AUTO);
    }
}
