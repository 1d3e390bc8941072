package io.deskmesh.node.api;

import io.deskmesh.testkit.LoopbackPorts;
import io.deskmesh.node.Node;
import io.deskmesh.node.demo.DemoGrid;

import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A real in-process grid for API tests: {@link DemoGrid} with N nodes on free loopback ports, known
 * passwords for 'admin' and the demo users user1..userN (group 'staff', templates 'office' and
 * 'dev'), and an {@link ApiClient} per node; its data lives in a temporary directory removed on close.
 * One per test class.
 */
final class ApiGrid implements AutoCloseable {
    static final String ADMIN_PASSWORD = "admin-password-1";
    static final String USER_PASSWORD = "user-password-1";

    private final DemoGrid grid;
    private final List<ApiClient> clients;

    private ApiGrid(DemoGrid grid, List<ApiClient> clients) {
        this.grid = grid;
        this.clients = clients;
    }

    static ApiGrid start(int nodes, int users) throws Exception {
        DemoGrid.Options options = new DemoGrid.Options(nodes, null, LoopbackPorts.demoGridBlock(nodes), ADMIN_PASSWORD, USER_PASSWORD, users);
        DemoGrid grid = DemoGrid.create(options);
        try {
            DemoGrid.Started started = grid.start(options);
            return new ApiGrid(grid, started.urls().stream().map(ApiClient::new).toList());
        } catch (Exception e) {
            grid.close();
            throw e;
        }
    }

    /** The client of node i, from 1. */
    ApiClient node(int i) {
        return clients.get(i - 1);
    }

    Node server(int i) {
        return grid.nodes().get(i - 1);
    }

    List<Node> servers() {
        return grid.nodes();
    }

    /** Waits until every node has applied what node 1 has. */
    void settle() throws InterruptedException {
        long index = server(1).image().index();
        await(() -> grid.nodes().stream().allMatch(n -> n.image().index() >= index), "nodes to catch up", 10_000);
    }

    static void await(BooleanSupplier condition, String what, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        grid.close();
    }

}
