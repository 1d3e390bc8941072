package io.deskmesh.node.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deskmesh.images.ImageAlreadyExistsException;
import io.deskmesh.images.ImageManifest;
import io.deskmesh.images.ImageNames;
import io.deskmesh.images.ImageServer;
import io.deskmesh.images.Served;
import io.deskmesh.model.codec.CodecException;
import io.deskmesh.model.codec.CommandCodec;
import io.deskmesh.model.codec.Json;
import io.deskmesh.model.command.CommandType;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ImageRef;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The node's HTTP front door: health, the grid at a glance, metrics, and the internal endpoints
 * other nodes use (join, ping, base image transfers, server removal). Errors are JSON
 * {@code {"error":{"code","message"}}}. Thread-safe once started.
 *
 * <p>Two token-guarded endpoints serve operators' scripts and tests until there is an admin API:
 * {@code POST /internal/v1/commands} submits raw commands, encoded as in the Raft log
 * ({@code {"commands":[{"t":<type id>,"b":{...}}]}}, see {@link CommandCodec}), and answers with
 * their replies ({@code {"v":1,"r":[...]}}); {@code POST /internal/v1/images/{image}/{version}/synthetic?size=N}
 * imports a synthetic base image (demo and test aid: its bytes are pseudo-random, not a bootable disk)
 * into this node's store and registers it.
 */
public final class NodeHttp implements AutoCloseable {
    private final Javalin app;

    /** What the HTTP layer needs from the node. */
    public interface Backend {
        Map<String, Object> health();

        boolean healthy();

        ClusterView cluster();

        String metrics();

        Object join(io.deskmesh.node.JoinProtocol.JoinRequest request);

        boolean tokenValid(String bearer);

        ImageServer images();

        void removeServer(String name) throws Exception;

        Map<String, Object> ping();

        /**
         * Submits commands through the node's write path and returns their replies, in order.
         * Throws {@link IllegalArgumentException} for a command this node's image shows to be
         * malformed, {@link TimeoutException} or {@link ExecutionException} when the grid did not
         * commit it.
         */
        List<Reply> execute(List<MeshCommand> commands) throws Exception;

        /**
         * Imports a synthetic base image of {@code sizeBytes} into this node's store (or takes the
         * one already there) and registers it as held by this node.
         */
        SyntheticImport importSynthetic(ImageRef ref, long sizeBytes, long seed) throws Exception;
    }

    /** What {@code POST .../synthetic} did: the manifest of the copy on disk and the registration's reply. */
    public record SyntheticImport(ImageManifest manifest, Reply reply) {
    }

    /** At most this many commands per {@code POST /internal/v1/commands}. */
    static final int MAX_COMMANDS = 1_000;
    /** Largest synthetic base image the endpoint makes: it is written to the node's disk. */
    static final long MAX_SYNTHETIC_BYTES = 1L << 30;

    public NodeHttp(String host, int port, Backend backend, Consumer<io.javalin.config.JavalinConfig> extra) {
        app = Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = 1_000_000;
            config.routes.get("/healthz", ctx -> {
                ctx.status(backend.healthy() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
                ctx.json(backend.health());
            });
            config.routes.get("/api/v1/cluster", ctx -> ctx.json(backend.cluster()));
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(backend.metrics()));
            config.routes.get("/internal/v1/ping", ctx -> ctx.json(backend.ping()));
            config.routes.post("/internal/v1/join", ctx -> {
                var request = ctx.bodyAsClass(io.deskmesh.node.JoinProtocol.JoinRequest.class);
                try {
                    ctx.json(backend.join(request));
                } catch (SecurityException e) {
                    error(ctx, HttpStatus.FORBIDDEN, "BAD_TOKEN", e.getMessage());
                }
            });
            config.routes.get("/internal/v1/images/{image}/{version}", ctx -> serveImage(ctx, backend));
            config.routes.get("/internal/v1/images/{image}/{version}/diff", ctx -> serveImage(ctx, backend));
            config.routes.post("/internal/v1/servers/{name}/remove", ctx -> {
                if (!backend.tokenValid(bearer(ctx))) {
                    error(ctx, HttpStatus.UNAUTHORIZED, "BAD_TOKEN", "pass the grid's join token as 'Authorization: Bearer <token>'");
                    return;
                }
                backend.removeServer(ctx.pathParam("name"));
                ctx.json(Map.of("removed", ctx.pathParam("name")));
            });
            config.routes.post("/internal/v1/commands", ctx -> {
                if (authorized(ctx, backend, "commands")) {
                    submitCommands(ctx, backend);
                }
            });
            config.routes.post("/internal/v1/images/{image}/{version}/synthetic", ctx -> {
                if (authorized(ctx, backend, "synthetic base images")) {
                    importSynthetic(ctx, backend);
                }
            });
            config.routes.exception(IllegalArgumentException.class, (e, ctx) ->
                    error(ctx, HttpStatus.BAD_REQUEST, "INVALID", e.getMessage()));
            config.routes.exception(io.javalin.http.BadRequestResponse.class, (e, ctx) ->
                    error(ctx, HttpStatus.BAD_REQUEST, "INVALID", e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) ->
                    error(ctx, HttpStatus.INTERNAL_SERVER_ERROR, "INTERNAL", String.valueOf(e.getMessage())));
            if (extra != null) {
                extra.accept(config);
            }
        });
    }

    public NodeHttp start() {
        app.start();
        return this;
    }

    public int port() {
        return app.port();
    }

    private static void serveImage(Context ctx, Backend backend) throws IOException {
        if (!backend.tokenValid(bearer(ctx))) {
            error(ctx, HttpStatus.UNAUTHORIZED, "BAD_TOKEN", "base images are served to grid members only");
            return;
        }
        Served served = ctx.path().endsWith(io.deskmesh.images.ImageProtocol.DIFF_SUFFIX)
                ? backend.images().serveDifference(ctx.pathParam("image"), ctx.pathParam("version"),
                        ctx.queryParam("base"), ctx.queryParam("baseSha256"), ctx.header("Range"))
                : backend.images().serve(ctx.pathParam("image"), ctx.pathParam("version"), ctx.header("Range"));
        ctx.status(served.status());
        served.headers().forEach(ctx::header);
        if (served.status() >= 400) {
            ctx.json(Map.of("error", Map.of("code", "IMAGE", "message", served.message())));
            return;
        }
        ctx.contentType("application/octet-stream");
        // A declared length lets the fetcher read the body as it is, not as HTTP chunks. The
        // servlet's own stream, not Javalin's: a disk is not worth compressing, and compressing
        // would contradict that length and any Content-Range.
        ctx.res().setContentLengthLong(served.contentLength());
        try (OutputStream out = ctx.res().getOutputStream()) {
            served.transferTo(out);
        }
    }

    private static boolean authorized(Context ctx, Backend backend, String what) {
        if (backend.tokenValid(bearer(ctx))) {
            return true;
        }
        error(ctx, HttpStatus.UNAUTHORIZED, "BAD_TOKEN", "internal " + what + " need the grid's join token as"
                + " 'Authorization: Bearer <token>'");
        return false;
    }

    private static void submitCommands(Context ctx, Backend backend) throws Exception {
        List<MeshCommand> commands = parseCommands(ctx.bodyAsBytes());
        List<Reply> replies;
        try {
            replies = backend.execute(commands);
        } catch (TimeoutException | ExecutionException e) {
            notCommitted(ctx, e);
            return;
        }
        ctx.contentType("application/json").result(CommandCodec.encodeReplies(replies));
    }

    /** Decodes {@code {"commands":[{"t":id,"b":{...}}, ...]}}; every problem is an IllegalArgumentException. */
    static List<MeshCommand> parseCommands(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new IllegalArgumentException("the body is not JSON: " + why);
        }
        JsonNode list = root == null ? null : root.get("commands");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IllegalArgumentException("the body needs a non-empty array 'commands' of {\"t\":<command type id>,"
                    + "\"b\":{...}}, e.g. {\"commands\":[{\"t\":" + CommandType.DRAIN_SERVER.id() + ",\"b\":{\"name\":\"node2\"}}]}");
        }
        if (list.size() > MAX_COMMANDS) {
            throw new IllegalArgumentException("the body has " + list.size() + " commands; send at most " + MAX_COMMANDS
                    + " per request");
        }
        List<MeshCommand> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            JsonNode t = item.get("t");
            CommandType type = t != null && t.canConvertToInt() && t.isIntegralNumber() ? CommandType.byId(t.intValue()) : null;
            if (type == null) {
                throw new IllegalArgumentException("commands[" + i + "]: type id " + t + " is unknown; 't' must be one of "
                        + knownTypes());
            }
            try {
                out.add(CommandCodec.decodeCommand(Json.MAPPER.writeValueAsBytes(item)));
            } catch (CodecException | IOException e) {
                throw new IllegalArgumentException("commands[" + i + "]: " + e.getMessage());
            }
        }
        return out;
    }

    private static String knownTypes() {
        StringBuilder b = new StringBuilder();
        for (CommandType type : CommandType.values()) {
            b.append(b.isEmpty() ? "" : ", ").append(type.id()).append(" (").append(type).append(')');
        }
        return b.toString();
    }

    private static void importSynthetic(Context ctx, Backend backend) throws Exception {
        ImageRef ref = ImageNames.parse(ctx.pathParam("image"), ctx.pathParam("version"));
        long size = longParam(ctx, "size", 8L << 20, 1, MAX_SYNTHETIC_BYTES);
        long seed = longParam(ctx, "seed", 42, Long.MIN_VALUE, Long.MAX_VALUE);
        SyntheticImport done;
        try {
            done = backend.importSynthetic(ref, size, seed);
        } catch (ImageAlreadyExistsException e) {
            error(ctx, HttpStatus.CONFLICT, "CONFLICT", e.getMessage());
            return;
        } catch (TimeoutException | ExecutionException e) {
            notCommitted(ctx, e);
            return;
        }
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("image", done.manifest().image());
        out.put("version", done.manifest().version());
        out.put("sizeBytes", done.manifest().sizeBytes());
        out.put("sha256", done.manifest().sha256());
        out.set("replies", Json.MAPPER.readTree(CommandCodec.encodeReplies(List.of(done.reply()))));
        ctx.contentType("application/json").result(Json.MAPPER.writeValueAsBytes(out));
    }

    private static long longParam(Context ctx, String name, long absent, long min, long max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) {
            return absent;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("query parameter '" + name + "' is '" + v + "', not a whole number");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("query parameter '" + name + "' is " + n + ", outside " + min + ".." + max);
        }
        return n;
    }

    private static void notCommitted(Context ctx, Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String why = e instanceof TimeoutException ? "no reply in time" : cause.getMessage();
        error(ctx, HttpStatus.SERVICE_UNAVAILABLE, "NOT_COMMITTED", "the grid did not commit the write: " + why
                + "; it may still commit later, so check the grid before retrying");
    }

    static String bearer(Context ctx) {
        String h = ctx.header("Authorization");
        return h != null && h.startsWith("Bearer ") ? h.substring(7).trim() : null;
    }

    public static void error(Context ctx, HttpStatus status, String code, String message) {
        ctx.status(status).json(Map.of("error", Map.of("code", code, "message", message == null ? "" : message)));
    }

    @Override
    public void close() {
        app.stop();
    }
}
