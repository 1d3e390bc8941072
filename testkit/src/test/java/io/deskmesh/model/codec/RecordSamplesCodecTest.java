package io.deskmesh.model.codec;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.model.record.MeshRecord;
import io.deskmesh.model.record.RecordType;
import io.deskmesh.testkit.Samples;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RecordSamplesCodecTest {
    @ParameterizedTest
    @EnumSource(RecordType.class)
    void everySampleRoundTripsToAnEqualRecordAndIdenticalBytes(RecordType type) {
        MeshRecord sample = Samples.record(type);
        byte[] bytes = RecordCodec.encode(sample);
        MeshRecord back = RecordCodec.decode(bytes);
        assertThat(back).isEqualTo(sample);
        assertThat(back.type()).isEqualTo(type);
        assertThat(RecordCodec.encode(back)).isEqualTo(bytes);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).startsWith("{\"v\":1,\"t\":" + type.id() + ",\"r\":{");
    }

    @ParameterizedTest
    @EnumSource(RecordType.class)
    void theBodyHoldsExactlyTheRecordsComponentsInDeclarationOrder(RecordType type) throws Exception {
        // Nothing derived (like type()) leaks into the log, and nothing is silently dropped.
        MeshRecord sample = Samples.record(type);
        JsonNode body = Json.MAPPER.readTree(RecordCodec.encode(sample)).get("r");
        List<String> fields = new ArrayList<>();
        body.fieldNames().forEachRemaining(fields::add);
        List<String> expected = new ArrayList<>();
        for (RecordComponent c : sample.getClass().getRecordComponents()) {
            if (c.getAccessor().invoke(sample) != null) {
                expected.add(c.getName());
            }
        }
        assertThat(fields).containsExactlyElementsOf(expected);
    }
}
