package io.deskmesh.bench;

import io.deskmesh.model.image.ClusterDelta;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.MeshRecord;
import io.deskmesh.model.record.SessionEndedRecord;
import io.deskmesh.model.record.SessionReservedRecord;
import io.deskmesh.model.record.VmStartedRecord;
import io.deskmesh.model.record.VmStoppedRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Replaying one record onto a 100,000-VM image (1,000 servers), in µs per record. Each operation
 * replays a pair that leaves the image as it found it, so every operation sees the same image:
 * a free VM started then stopped, or reserved for a session then released. {@code ...Entry} replays
 * each record as its own log entry ({@link ClusterImage#replay}: open a delta, replay, build the next
 * image), as a follower applies single-record entries; {@code ...InDelta} replays into one open
 * {@link ClusterDelta}, the marginal cost of one more record in a larger entry. Target: under 10 µs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx8g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class ReplayBenchmark {
    @Param({"1000"})
    public int servers;

    private ClusterImage image;
    private List<MeshRecord> started;
    private List<MeshRecord> stopped;
    private List<MeshRecord> reserved;
    private List<MeshRecord> ended;
    private ClusterDelta delta;

    @Setup(Level.Trial)
    public void build() {
        SyntheticGrid.Built grid = SyntheticGrid.build(servers, SyntheticGrid.vmsFor(servers));
        image = grid.image();
        VmImage vm = image.vms().get(grid.freeStoppedVm()).orElseThrow();
        long at = image.at();
        started = List.of(new VmStartedRecord(vm.vmId(), at + 1));
        stopped = List.of(new VmStoppedRecord(vm.vmId(), at + 2));
        reserved = List.of(new SessionReservedRecord("s-bench-0", grid.idleUser(), grid.template(), vm.vmId(), vm.server(), at + 1));
        ended = List.of(new SessionEndedRecord("s-bench-0", "logged off", at + 2));
        Measure.promote();
    }

    @Setup(Level.Iteration)
    public void openDelta() {
        delta = new ClusterDelta(image);
    }

    @Benchmark
    @OperationsPerInvocation(2)
    public ClusterImage vmStartedStoppedEntry() {
        ClusterImage next = image.replay(image.index() + 1, started);
        return next.replay(next.index() + 1, stopped);
    }

    @Benchmark
    @OperationsPerInvocation(2)
    public ClusterImage sessionReservedEndedEntry() {
        ClusterImage next = image.replay(image.index() + 1, reserved);
        return next.replay(next.index() + 1, ended);
    }

    @Benchmark
    @OperationsPerInvocation(2)
    public ClusterDelta vmStartedStoppedInDelta() {
        delta.replay(started.get(0));
        delta.replay(stopped.get(0));
        return delta;
    }
}
