package io.deskmesh.node.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.deskmesh.node.agent.AgentEvent.Kind;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentEventTest {
    @Test
    void parsesTheFourMessagesOfTheProtocol() {
        assertThat(AgentEvent.parse("ready 1 deskmesh-guest")).contains(new AgentEvent(Kind.READY, ""));
        assertThat(AgentEvent.parse("heartbeat 17")).contains(new AgentEvent(Kind.HEARTBEAT, ""));
        assertThat(AgentEvent.parse("login alice")).contains(new AgentEvent(Kind.LOGIN, "alice"));
        assertThat(AgentEvent.parse("logout alice\r")).contains(new AgentEvent(Kind.LOGOUT, "alice"));
    }

    @Test
    void ignoresUnknownMalformedAndOverlongLines() {
        assertThat(AgentEvent.parse("shutdown now")).isEmpty();
        assertThat(AgentEvent.parse("login")).isEmpty();
        assertThat(AgentEvent.parse("login alice bob")).isEmpty();
        assertThat(AgentEvent.parse("login ../bob")).isEmpty();
        assertThat(AgentEvent.parse("")).isEmpty();
        assertThat(AgentEvent.parse(null)).isEmpty();
        assertThat(AgentEvent.parse("heartbeat " + "9".repeat(AgentEvent.MAX_LINE))).isEqualTo(Optional.empty());
    }

    @Test
    void theHostAsksAnAgentToReportOnlyLoginsAndLogoutsOfNamesTheProtocolCarries() {
        assertThat(AgentEvent.report(Kind.LOGIN, "alice")).isEqualTo("report login alice");
        assertThat(AgentEvent.report(Kind.LOGOUT, "bob.x@corp")).isEqualTo("report logout bob.x@corp");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AgentEvent.report(Kind.READY, "alice"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only a login or a logout");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AgentEvent.report(Kind.LOGIN, "a b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a b'");
    }
}
