package io.deskmesh.model.image;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageRefTest {
    @Test
    void ordersByNameThenNumericVersion() {
        List<ImageRef> refs = new ArrayList<>(List.of(new ImageRef("win11", 10), new ImageRef("ubuntu", 3),
                new ImageRef("win11", 9), new ImageRef("win11", 1), new ImageRef("ubuntu", 20)));
        Collections.sort(refs);
        assertThat(refs).containsExactly(new ImageRef("ubuntu", 3), new ImageRef("ubuntu", 20), new ImageRef("win11", 1),
                new ImageRef("win11", 9), new ImageRef("win11", 10));
    }

    @Test
    void compareToIsConsistentWithEquals() {
        assertThat(new ImageRef("a", 2).compareTo(new ImageRef("a", 2))).isZero();
        assertThat(new ImageRef("a", 2)).isEqualTo(new ImageRef("a", 2));
        assertThat(new ImageRef("a", 2).compareTo(new ImageRef("b", 1))).isNegative();
        assertThat(new ImageRef("a", Integer.MAX_VALUE).compareTo(new ImageRef("a", Integer.MIN_VALUE))).isPositive();
    }

    @Test
    void printsAsNameAtVersion() {
        assertThat(new ImageRef("win11", 3)).hasToString("win11@3");
    }

    @Test
    void refusesANullName() {
        assertThatThrownBy(() -> new ImageRef(null, 1)).isInstanceOf(NullPointerException.class);
    }
}
