package io.deskmesh.node.api;

import io.javalin.config.JavalinConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.function.Consumer;

/**
 * {@code GET /api/v1/openapi.json}: the API's OpenAPI 3 description, a resource kept beside the code
 * (a test checks it names every registered route). Served without authentication: it describes the
 * API and holds nothing about the grid. Thread-safe.
 */
public final class OpenApiRoute implements Consumer<JavalinConfig> {
    public static final String PATH = "/api/v1/openapi.json";
    public static final String RESOURCE = "/openapi.json";
    private final byte[] document;

    public OpenApiRoute() {
        this.document = load();
    }

    /** The document's bytes, as served. */
    public static byte[] load() {
        try (InputStream in = OpenApiRoute.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + RESOURCE + " is missing from the node's jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.get(PATH, ctx -> ctx.contentType("application/json").result(document));
    }
}
