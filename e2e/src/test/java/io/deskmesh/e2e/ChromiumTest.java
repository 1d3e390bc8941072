package io.deskmesh.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChromiumTest {
    @Test
    void aMissingBrowserFailsTheTestsWithTheCommandThatInstallsIt() {
        for (boolean ci : new boolean[]{false, true}) {
            assertThatThrownBy(() -> Chromium.requireExecutable(Path.of("/nonexistent/chromium"), ci))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("/nonexistent/chromium")
                    .hasMessageContaining("apt-get install -y chromium chromium-driver");
        }
    }

    @Test
    void anExecutableIsAccepted() {
        assertThatNoException().isThrownBy(() -> Chromium.requireExecutable(Path.of("/bin/sh"), true));
    }
}
