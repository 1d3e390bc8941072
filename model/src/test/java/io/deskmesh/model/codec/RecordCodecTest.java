package io.deskmesh.model.codec;

import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.GrantCreatedRecord;
import io.deskmesh.model.record.MeshRecord;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.RecordType;
import io.deskmesh.model.record.ServerJoinedRecord;
import io.deskmesh.model.record.SessionReservedRecord;
import io.deskmesh.model.record.TemplateCreatedRecord;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.model.record.VmCreatedRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordCodecTest {
    private static final long AT = 1_700_000_000_000L;

    private static MeshRecord roundTrip(MeshRecord r) {
        return RecordCodec.decode(RecordCodec.encode(r));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void serverJoinedRoundTripsWithNestedCapacity() {
        MeshRecord r = new ServerJoinedRecord("s1", "rack-a", "10.0.0.1:8443", new Capacity(32, 131_072, 2_000_000), AT);
        assertThat(roundTrip(r)).isEqualTo(r).isInstanceOf(ServerJoinedRecord.class);
    }

    @Test
    void templateCreatedRoundTripsFixedAndAutoDesiredCounts() {
        MeshRecord fixed = new TemplateCreatedRecord(new TemplateSpec("office", 2, 4096, "win11", 3, PoolKind.PERSISTENT,
                DesiredVms.of(25), 3, 2, 1800, 600), AT);
        MeshRecord auto = new TemplateCreatedRecord(new TemplateSpec("kiosk", 1, 2048, "ubuntu", 0, PoolKind.NON_PERSISTENT,
                DesiredVms.AUTO, 0, 1, 0, 0), AT + 1);
        assertThat(roundTrip(fixed)).isEqualTo(fixed);
        assertThat(roundTrip(auto)).isEqualTo(auto);
        assertThat(((TemplateCreatedRecord) roundTrip(auto)).spec().desiredVms().auto()).isTrue();
    }

    @Test
    void nullFieldsStayNull() {
        MeshRecord groupGrant = new GrantCreatedRecord("g-1-0", "office", null, "finance", AT);
        MeshRecord noMac = new VmCreatedRecord("office-1-0", null, AT);
        assertThat(roundTrip(groupGrant)).isEqualTo(groupGrant);
        assertThat(((GrantCreatedRecord) roundTrip(groupGrant)).user()).isNull();
        assertThat(roundTrip(noMac)).isEqualTo(noMac);
    }

    @Test
    void sessionReservedRoundTrips() {
        MeshRecord r = new SessionReservedRecord("s-2s-4", "ann@example.com", "office", "office-1a-0", "s2", AT);
        assertThat(roundTrip(r)).isEqualTo(r);
    }

    @Test
    void encodingCarriesVersionAndStableTypeIdAndIsDeterministic() {
        MeshRecord a = new ServerJoinedRecord("s1", "rack-a", "h:1", new Capacity(4, 8192, 100), AT);
        MeshRecord b = new ServerJoinedRecord("s1", "rack-a", "h:1", new Capacity(4, 8192, 100), AT);
        String json = new String(RecordCodec.encode(a), StandardCharsets.UTF_8);
        assertThat(json).startsWith("{\"v\":1,\"t\":2,\"r\":{");
        assertThat(RecordCodec.encode(a)).isEqualTo(RecordCodec.encode(b));
    }

    @Test
    void unknownFieldsOfAKnownTypeAreIgnored() {
        MeshRecord r = RecordCodec.decode(utf8("{\"v\":1,\"t\":6,\"r\":{\"name\":\"s1\",\"reason\":\"gone\",\"at\":5,"
                + "\"addedLater\":{\"x\":1}}}"));
        assertThat(r).isEqualTo(new io.deskmesh.model.record.ServerMissingRecord("s1", "gone", 5));
    }

    @Test
    void refusesUnknownTypeIdNamingIt() {
        assertThat(RecordType.byId(9999)).isNull();
        assertThatThrownBy(() -> RecordCodec.decode(utf8("{\"v\":1,\"t\":9999,\"r\":{\"at\":1}}")))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("record type id 9999")
                .hasMessageContaining("upgrade");
    }

    @Test
    void refusesUnsupportedCodecVersionNamingIt() {
        assertThatThrownBy(() -> RecordCodec.decode(utf8("{\"v\":2,\"t\":1,\"r\":{\"gridId\":\"g\",\"at\":1}}")))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("record codec version 2")
                .hasMessageContaining("reads 1..1");
        assertThatThrownBy(() -> RecordCodec.decode(utf8("{\"v\":0,\"t\":1,\"r\":{\"gridId\":\"g\",\"at\":1}}")))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("record codec version 0");
        assertThatThrownBy(() -> RecordCodec.decode(utf8("{\"t\":1,\"r\":{\"gridId\":\"g\",\"at\":1}}")))
                .isInstanceOf(CodecException.class)
                .hasMessageContaining("record codec version");
    }

    @Test
    void refusesBytesThatAreNotAJsonObject() {
        assertThatThrownBy(() -> RecordCodec.decode(utf8("{\"v\":1,\"t\":1,")))
                .isInstanceOf(CodecException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> RecordCodec.decode(utf8("[1,2]")))
                .isInstanceOf(CodecException.class).hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> RecordCodec.decode(new byte[0]))
                .isInstanceOf(CodecException.class);
    }

    @Test
    void refusesMissingOrNonObjectBody() {
        assertThatThrownBy(() -> RecordCodec.decode(utf8("{\"v\":1,\"t\":1}")))
                .isInstanceOf(CodecException.class).hasMessageContaining("GRID_CREATED has no body");
        assertThatThrownBy(() -> RecordCodec.decode(utf8("{\"v\":1,\"t\":1,\"r\":[]}")))
                .isInstanceOf(CodecException.class).hasMessageContaining("GRID_CREATED has no body");
    }

    @Test
    void refusesMalformedBodyNamingTheType() {
        // a field of the wrong type
        assertThatThrownBy(() -> RecordCodec.decode(utf8(
                "{\"v\":1,\"t\":2,\"r\":{\"name\":\"s1\",\"capacity\":{\"cpus\":\"many\",\"memoryMb\":1,\"diskMb\":1},\"at\":1}}")))
                .isInstanceOf(CodecException.class).hasMessageContaining("SERVER_JOINED is malformed");
        // a required field missing (the record's constructor refuses it)
        assertThatThrownBy(() -> RecordCodec.decode(utf8("{\"v\":1,\"t\":1,\"r\":{\"at\":1}}")))
                .isInstanceOf(CodecException.class).hasMessageContaining("GRID_CREATED is malformed");
        // a value the record's invariants refuse
        assertThatThrownBy(() -> RecordCodec.decode(utf8(
                "{\"v\":1,\"t\":3,\"r\":{\"name\":\"s1\",\"capacity\":{\"cpus\":-1,\"memoryMb\":1,\"diskMb\":1},\"at\":1}}")))
                .isInstanceOf(CodecException.class).hasMessageContaining("SERVER_CAPACITY_REPORTED is malformed");
    }
}
