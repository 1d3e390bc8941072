package io.deskmesh.model.plan;

import io.deskmesh.model.command.ErrorCode;
import io.deskmesh.model.command.Reply;
import io.deskmesh.testkit.GridFixture;
import io.deskmesh.testkit.TemplateSpecBuilder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;

/** How many VMs {@link PoolSizer} wants for a template: fixed, or auto from users and demand. */
class PoolSizerTest {
    private static final long GIB = 1L << 30;
    private static final long HOUR_MS = 3_600_000;

    @Test
    void aFixedCountIsTheAdminsWord() {
        GridFixture g = pool(t -> t.desired(7).spare(2), 3);
        assertThat(desired(g)).isEqualTo(7);

        g.updateTemplate("office", t -> t.desired(0).spare(0));
        assertThat(desired(g)).isZero();
    }

    @Test
    void anAutoPersistentPoolHasOneDesktopPerEntitledUser() {
        GridFixture g = pool(t -> t.persistent().desiredAuto().spare(1), 5);
        assertThat(desired(g)).isEqualTo(5);

        g.user("late").grant("office", "late");
        assertThat(desired(g)).isEqualTo(6);
    }

    @Test
    void anAutoNonPersistentPoolStartsAtTwentyPercentOfEntitledWithMarginPlusSpare() {
        // max(peak 0, 20 % of 10) = 2; ceil(2 x 1.2) = 3; plus 2 spare
        GridFixture g = pool(t -> t.desiredAuto().spare(2), 10);
        assertThat(desired(g)).isEqualTo(5);
    }

    @Test
    void anAutoNonPersistentPoolFollowsThePeakOfSessions() {
        // peak 5 of 10 entitled: ceil(5 x 1.2) = 6; plus 2 spare
        GridFixture g = pool(t -> t.desiredAuto().spare(2), 10).allocate("office", "s1", 6).buildAll();
        List<String> sessions = loginUsers(g, 5);
        assertThat(desired(g)).isEqualTo(8);

        for (String s : sessions) {
            g.endSession(s);
        }
        assertThat(desired(g)).as("the peak is remembered after log-off").isEqualTo(8);
    }

    @Test
    void anAutoNonPersistentPoolIsCappedAtEntitledPlusSpare() {
        // peak 10 of 10 entitled: ceil(10 x 1.2) = 12, capped at 10; plus 2 spare
        GridFixture g = pool(t -> t.desiredAuto().spare(2), 10).allocate("office", "s1", 10).buildAll();
        loginUsers(g, 10);
        assertThat(desired(g)).isEqualTo(12);
    }

    @Test
    void unmetDemandWithinTheLastHourGrowsThePoolOlderDemandDoesNot() {
        // peak 3 of 10: ceil(3 x 1.2) = 4. An unmet login: max(3, 3 live + 1) = 4, ceil(4 x 1.2) = 5.
        GridFixture g = pool(t -> t.desiredAuto(), 10).allocate("office", "s1", 3).buildAll();
        loginUsers(g, 3);
        assertThat(desired(g)).isEqualTo(4);

        Reply unmet = g.reserve("u3", "office");
        assertThat(unmet).isInstanceOfSatisfying(Reply.Failed.class, f -> assertThat(f.code()).isEqualTo(ErrorCode.NO_DESKTOP));
        assertThat(desired(g)).as("right after the unmet login").isEqualTo(5);

        passTime(g, HOUR_MS - 60_000);
        assertThat(desired(g)).as("59 minutes later").isEqualTo(5);

        passTime(g, 120_000);
        assertThat(desired(g)).as("61 minutes later").isEqualTo(4);
    }

    @Test
    void anAutoPoolWithoutEntitledUsersIsEmpty() {
        assertThat(desired(pool(t -> t.desiredAuto().spare(2), 0))).isZero();
        assertThat(desired(pool(t -> t.persistent().desiredAuto().spare(2), 0))).isZero();
    }

    // ---------------------------------------------------------------- helpers

    /** One server holding the image of template 'office' and {@code users} users u0.. entitled to it. */
    private static GridFixture pool(UnaryOperator<TemplateSpecBuilder> spec, int users) {
        GridFixture g = GridFixture.grid().server("s1")
                .image("win11", 1, 10 * GIB, "s1")
                .template("office", t -> spec.apply(t.baseImage("win11")));
        for (int i = 0; i < users; i++) {
            g.user("u" + i).grant("office", "u" + i);
        }
        return g;
    }

    /** Logs users u0 .. u(n-1) in; returns their session ids. */
    private static List<String> loginUsers(GridFixture g, int n) {
        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sessions.add(g.login("u" + i, "office").sessionId());
        }
        return sessions;
    }

    private static int desired(GridFixture g) {
        return PoolSizer.desired(g.clusterImage(), g.clusterImage().templates().get("office").orElseThrow());
    }

    /** Moves the log clock and applies an empty entry, so the image's time moves with it. */
    private static void passTime(GridFixture g, long millis) {
        g.advance(millis).entry(List.of());
    }
}
