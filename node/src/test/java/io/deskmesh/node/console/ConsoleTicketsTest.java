package io.deskmesh.node.console;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConsoleTicketsTest {
    private static final String SECRET = "grid-secret-0123456789";
    private static final long NOW = 1_700_000_000_000L;
    private static final long TTL = 30_000;

    private final ConsoleTickets node1 = new ConsoleTickets(SECRET, "node1");

    @Test
    void aTicketIsAdmittedOnceForItsSessionAndUser() throws Exception {
        String t = node1.issue("s-1", "ann", NOW, TTL);
        ConsoleTickets.Ticket admitted = node1.admit(t, "s-1", NOW + 1_000);
        assertThat(admitted.user()).isEqualTo("ann");
        assertThat(admitted.sessionId()).isEqualTo("s-1");
        assertThat(admitted.node()).isEqualTo("node1");
        assertThat(admitted.expiresAt()).isEqualTo(NOW + TTL);
        assertThatThrownBy(() -> node1.admit(t, "s-1", NOW + 2_000)).isInstanceOf(ConsoleTickets.Refused.class)
                .hasMessageContaining("already used");
    }

    @Test
    void anotherNodeOfTheGridRecognisesTheTicketButRefusesIt() {
        String t = node1.issue("s-1", "ann", NOW, TTL);
        ConsoleTickets node2 = new ConsoleTickets(SECRET, "node2");
        assertThat(node2.decode(t)).as("the signature is the grid's").isPresent();
        assertThatThrownBy(() -> node2.admit(t, "s-1", NOW)).isInstanceOf(ConsoleTickets.Refused.class)
                .hasMessageContaining("issued by server 'node1'");
    }

    @Test
    void aTicketOpensOnlyItsOwnSession() {
        String t = node1.issue("s-1", "ann", NOW, TTL);
        assertThatThrownBy(() -> node1.admit(t, "s-2", NOW)).hasMessageContaining("another session");
    }

    @Test
    void anExpiredTicketIsRefused() {
        String t = node1.issue("s-1", "ann", NOW, TTL);
        assertThatThrownBy(() -> node1.admit(t, "s-1", NOW + TTL)).hasMessageContaining("expired");
    }

    @Test
    void forgedTamperedAndMissingTicketsAreRefused() {
        String foreign = new ConsoleTickets("another-grid-secret", "node1").issue("s-1", "ann", NOW, TTL);
        assertThatThrownBy(() -> node1.admit(foreign, "s-1", NOW)).hasMessageContaining("not valid");
        String t = node1.issue("s-1", "ann", NOW, TTL);
        String[] parts = t.split("\\.");
        String claims = new String(java.util.Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                .replace("ann", "bob");
        String tampered = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThatThrownBy(() -> node1.admit(tampered, "s-1", NOW)).hasMessageContaining("not valid");
        assertThatThrownBy(() -> node1.admit("dmc1.", "s-1", NOW)).hasMessageContaining("not valid");
        assertThatThrownBy(() -> node1.admit(null, "s-1", NOW)).hasMessageContaining("No console ticket");
    }

    @Test
    void admittedTicketsAreForgottenOnceExpired() throws Exception {
        node1.admit(node1.issue("s-1", "ann", NOW, TTL), "s-1", NOW);
        node1.admit(node1.issue("s-2", "bob", NOW + 10_000, TTL), "s-2", NOW + 10_000);
        node1.prune(NOW + TTL);
        assertThat(node1.remembered()).isEqualTo(1);
        node1.prune(NOW + 10_000 + TTL);
        assertThat(node1.remembered()).isZero();
    }

    @Test
    void closeReasonsFitAWebSocketCloseFrame() {
        String longReason = "Server 'ünïcödé-node', which hosts your desktop, went away. ".repeat(5);
        String fitted = ConsoleClose.fit(longReason);
        assertThat(fitted.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
        assertThat(fitted).startsWith("Server 'ünïcödé-node'").endsWith("...");
        assertThat(ConsoleClose.fit("short")).isEqualTo("short");
        assertThat(ConsoleClose.of(4502)).isEqualTo(ConsoleClose.HOST_GONE);
    }
}
