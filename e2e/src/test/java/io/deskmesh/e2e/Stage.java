package io.deskmesh.e2e;

/**
 * What a browser test class runs on: Debian's Chromium, a real three-node grid, and the page error
 * collector every page of the class reports to. Start one in {@code @BeforeAll}, close it in
 * {@code @AfterAll}. Not thread-safe.
 */
record Stage(Chromium chromium, WebGrid grid, PageErrors errors) implements AutoCloseable {
    static Stage start() throws Exception {
        Chromium chromium = Chromium.launch(); // first: without a browser, fail before starting a grid
        try {
            return new Stage(chromium, WebGrid.start(), new PageErrors());
        } catch (Exception | Error e) {
            chromium.close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            chromium.close();
        } finally {
            grid.close();
        }
    }
}
