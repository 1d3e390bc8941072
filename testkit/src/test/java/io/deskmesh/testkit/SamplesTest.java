package io.deskmesh.testkit;

import io.deskmesh.model.command.CommandType;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.record.MeshRecord;
import io.deskmesh.model.record.RecordType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class SamplesTest {
    @ParameterizedTest
    @EnumSource(RecordType.class)
    void everyRecordTypeHasASampleOfThatType(RecordType type) {
        MeshRecord sample = Samples.record(type);
        assertThat(sample).isNotNull();
        assertThat(sample.type()).isEqualTo(type);
        assertThat(sample.getClass()).isEqualTo(type.recordClass());
        assertThat(sample.at()).isEqualTo(Samples.AT);
    }

    @ParameterizedTest
    @EnumSource(CommandType.class)
    void everyCommandTypeHasASampleOfThatType(CommandType type) {
        MeshCommand sample = Samples.command(type);
        assertThat(sample).isNotNull();
        assertThat(sample.type()).isEqualTo(type);
    }

    @Test
    void samplesCoverEveryPermittedClassOnce() {
        Set<Class<?>> recordClasses = Samples.records().stream().map(Object::getClass).collect(Collectors.toSet());
        assertThat(recordClasses).containsExactlyInAnyOrder(MeshRecord.class.getPermittedSubclasses());
        Set<Class<?>> commandClasses = Samples.commands().stream().map(Object::getClass).collect(Collectors.toSet());
        assertThat(commandClasses).containsExactlyInAnyOrder(MeshCommand.class.getPermittedSubclasses());
        assertThat(Samples.records()).hasSize(RecordType.values().length);
        assertThat(Samples.commands()).hasSize(CommandType.values().length);
    }
}
