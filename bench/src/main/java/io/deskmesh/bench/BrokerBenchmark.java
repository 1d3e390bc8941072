package io.deskmesh.bench;

import io.deskmesh.model.command.CommandProcessor;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.command.ReserveDesktopCommand;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.plan.ConnectionRouter;
import io.deskmesh.model.plan.Route;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One login: {@code route} ranks the servers for a user on the non-persistent template with the
 * most base image holders (connection load balancing, run by the front door); {@code reserve} is
 * {@link CommandProcessor#apply} of one {@link ReserveDesktopCommand} as one log entry, which routes
 * again at apply time, replays the reservation and builds the next image (the cost every node pays
 * per login on the apply thread).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx8g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class BrokerBenchmark {
    @Param({"10", "100", "1000", "10000"})
    public int servers;

    private ClusterImage image;
    private String user;
    private String template;
    private List<MeshCommand> reserve;

    @Setup(Level.Trial)
    public void build() {
        SyntheticGrid.Built grid = SyntheticGrid.build(servers, SyntheticGrid.vmsFor(servers));
        image = grid.image();
        user = grid.idleUser();
        template = grid.template();
        reserve = List.of(new ReserveDesktopCommand(user, template, List.of()));
        Measure.promote();
        if (route().isEmpty()) {
            throw new IllegalStateException("no route for " + user + " on " + template + ": " + route().whyEmpty());
        }
        Reply reply = reserve().replies().get(0);
        if (!(reply instanceof Reply.Reserved r) || r.reconnect()) {
            throw new IllegalStateException("reservation did not take a new desktop: " + reply);
        }
    }

    @Benchmark
    public Route route() {
        return ConnectionRouter.route(image, user, template, Set.of());
    }

    @Benchmark
    public CommandProcessor.BatchResult reserve() {
        return CommandProcessor.apply(image, image.index() + 1, image.at() + 1, reserve);
    }
}
