package io.deskmesh.node.api.broker;

import com.sun.net.httpserver.HttpServer;
import io.deskmesh.model.codec.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** The front door's side of preparing: batching per host and how each answer becomes a result. */
class GridVmPreparerTest {
    private HttpServer host;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger vmsAsked = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile int status = 200;
    private HostPreparer local;
    private GridVmPreparer preparer;

    @BeforeEach
    void start() throws IOException {
        host = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        host.setExecutor(Executors.newCachedThreadPool());
        host.createContext(PrepareEndpoint.PATH, exchange -> {
            requests.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS);
                byte[] out;
                if (!"Bearer secret".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                    status = 401;
                }
                if (status != 200) {
                    out = "{\"error\":{\"code\":\"HOST_UNAVAILABLE\",\"message\":\"the hypervisor is down\"}}"
                            .getBytes(StandardCharsets.UTF_8);
                } else {
                    PrepareEndpoint.Request r = PrepareEndpoint.parse(exchange.getRequestBody().readAllBytes());
                    vmsAsked.addAndGet(r.vms().size());
                    List<Object> results = new ArrayList<>();
                    for (String vm : r.vms()) {
                        results.add(vm.startsWith("bad") ? Map.of("vmId", vm, "ok", false, "status", 409, "code",
                                PrepareException.VM_FAILED, "message", "VM '" + vm + "' would not start")
                                : Map.of("vmId", vm, "ok", true, "started", false));
                    }
                    out = Json.MAPPER.writeValueAsBytes(Map.of("results", results));
                }
                exchange.sendResponseHeaders(status, out.length);
                exchange.getResponseBody().write(out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                exchange.close();
            }
        });
        host.start();
        String address = "127.0.0.1:" + host.getAddress().getPort();
        local = new HostPreparer("h1", null, () -> null, c -> CompletableFuture.completedFuture(List.of()));
        preparer = new GridVmPreparer(local, s -> s.equals("h2") ? Optional.of(address) : Optional.empty(), "secret",
                new HostConfirmations(() -> io.deskmesh.model.image.ClusterImage.EMPTY));
    }

    @AfterEach
    void stop() {
        release.countDown();
        preparer.close();
        local.close();
        host.stop(0);
    }

    @Test
    void preparesForOneHostWaitingBehindFullRequestsGoOutTogether() throws Exception {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < 44; i++) {
            all.add(preparer.prepare("h2", "vm-" + i, 5_000));
        }
        // the first requests hold the host; the other prepares queue behind them
        assertThat(requests.get()).isLessThanOrEqualTo(GridVmPreparer.MAX_IN_FLIGHT);
        release.countDown();
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        assertThat(vmsAsked.get()).isEqualTo(44);
        assertThat(preparer.requestsSent()).as("44 prepares, at most 4 alone and the rest in a few batches")
                .isLessThanOrEqualTo(2L * GridVmPreparer.MAX_IN_FLIGHT);
    }

    @Test
    void aVmThatFailsIsTheVmsFaultNotTheHosts() throws Exception {
        release.countDown();
        CompletableFuture<Void> good = preparer.prepare("h2", "vm-1", 5_000);
        CompletableFuture<Void> bad = preparer.prepare("h2", "bad-2", 5_000);
        good.get(10, TimeUnit.SECONDS);
        Throwable e = catchThrowable(() -> bad.get(10, TimeUnit.SECONDS)).getCause();
        assertThat(e).isInstanceOf(PrepareException.class).hasMessageContaining("would not start");
        assertThat(((PrepareException) e).hostAtFault()).isFalse();
        assertThat(((PrepareException) e).code()).isEqualTo(PrepareException.VM_FAILED);
    }

    @Test
    void aRefusedRequestOrAnUnknownServerBlamesTheHost() {
        status = 503;
        release.countDown();
        Throwable e = catchThrowable(() -> preparer.prepare("h2", "vm-1", 5_000).get(10, TimeUnit.SECONDS)).getCause();
        assertThat(e).isInstanceOf(PrepareException.class).hasMessageContaining("the hypervisor is down");
        assertThat(((PrepareException) e).hostAtFault()).isTrue();

        Throwable unknown = catchThrowable(() -> preparer.prepare("h9", "vm-1", 5_000).get(10, TimeUnit.SECONDS)).getCause();
        assertThat(((PrepareException) unknown).code()).isEqualTo(PrepareException.NOT_HOSTED);
        assertThat(unknown).hasMessageContaining("'h9' is not a member of the grid");
    }

    @Test
    void requestBodiesAreChecked() {
        assertThat(catchThrowable(() -> PrepareEndpoint.parse("[1]".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("must be a JSON object");
        assertThat(catchThrowable(() -> PrepareEndpoint.parse("{\"vms\":[1]}".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("must hold VM ids");
        assertThat(catchThrowable(() -> PrepareEndpoint.parse("{\"vms\":[\"a\"],\"deadlineMs\":0}".getBytes(StandardCharsets.UTF_8))))
                .hasMessageContaining("'deadlineMs' must be a whole number of milliseconds >= 1");
        assertThat(PrepareEndpoint.parse("{\"vms\":[\"a\",\"a\",\"b\"],\"deadlineMs\":99999999}"
                .getBytes(StandardCharsets.UTF_8))).isEqualTo(new PrepareEndpoint.Request(PrepareEndpoint.MAX_DEADLINE_MS,
                List.of("a", "b")));
    }
}
