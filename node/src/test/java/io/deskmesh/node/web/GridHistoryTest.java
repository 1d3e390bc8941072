package io.deskmesh.node.web;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.record.AuditEventRecord;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GridHistoryTest {
    private static final long MINUTE = 60_000;
    private static final long T0 = 1_700_000_000_000L / MINUTE * MINUTE; // a minute's start

    @Test
    void keepsTheMostSessionsSeenInEachMinuteAndMarksMinutesNeverSampled() {
        GridHistory h = new GridHistory();
        h.sample(T0 + 1_000, 3);
        h.sample(T0 + 20_000, 7);
        h.sample(T0 + 50_000, 5);
        h.sample(T0 + 2 * MINUTE + 5, 2);
        List<GridHistory.Point> points = h.points(T0 + 2 * MINUTE + 10, ClusterImage.EMPTY);
        assertThat(points).hasSize(GridHistory.MINUTES);
        GridHistory.Point last = points.get(59);
        assertThat(last.at()).isEqualTo(T0 + 2 * MINUTE);
        assertThat(last.sessions()).isEqualTo(2);
        assertThat(points.get(58).sessions()).as("a minute without a sample").isEqualTo(-1);
        assertThat(points.get(57).sessions()).isEqualTo(7);
        assertThat(points.get(0).at()).isEqualTo(T0 + 2 * MINUTE - 59 * MINUTE);
    }

    @Test
    void aSlotReusedAnHourLaterForgetsTheOldMinute() {
        GridHistory h = new GridHistory();
        h.sample(T0, 9);
        h.sample(T0 + GridHistory.MINUTES * MINUTE, 1);
        List<GridHistory.Point> points = h.points(T0 + GridHistory.MINUTES * MINUTE, ClusterImage.EMPTY);
        assertThat(points.get(59).sessions()).isEqualTo(1);
        assertThat(points).extracting(GridHistory.Point::sessions).doesNotContain(9);
    }

    @Test
    void countsGoodAndFailedLoginsPerMinuteFromTheAuditTrailWithinTheLastHour() {
        ClusterImage image = ClusterImage.fromRecords(10, T0, List.of(
                login(1, true, T0 - 61 * MINUTE),          // older than the hour: not shown
                login(2, true, T0 - MINUTE + 5),
                login(3, false, T0 + 1),
                login(4, true, T0 + 2),
                login(5, true, T0 + 59_999),
                new AuditEventRecord(6, "admin", "template.create", "kiosk", "127.0.0.1", true, "", T0 + 3)));
        List<GridHistory.Point> points = new GridHistory().points(T0 + 30_000, image);
        GridHistory.Point now = points.get(59);
        assertThat(now.logins()).isEqualTo(2);
        assertThat(now.failedLogins()).isEqualTo(1);
        assertThat(points.get(58).logins()).isEqualTo(1);
        assertThat(points.stream().mapToInt(GridHistory.Point::logins).sum()).isEqualTo(3);
    }

    private static AuditEventRecord login(long seq, boolean ok, long at) {
        return new AuditEventRecord(seq, "user" + seq, "login", "", "127.0.0.1", ok, ok ? "token t" + seq : "wrong password", at);
    }
}
