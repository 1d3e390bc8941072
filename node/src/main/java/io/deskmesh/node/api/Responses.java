package io.deskmesh.node.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.deskmesh.model.command.ErrorCode;
import io.deskmesh.model.command.Reply;
import io.deskmesh.raft.CommandSubmitException;
import io.deskmesh.raft.NoQuorumException;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;

/**
 * Turns API handlers into Javalin handlers: writes their answers as JSON, turns every failure into
 * the API's error body {@code {"error":{"code","message"}}} with a fitting status, and finishes
 * asynchronous answers on virtual threads rather than on the thread that completed them (the
 * submitter's, the hashing pool's), so a slow client never stalls the write path. Thread-safe.
 */
public final class Responses {
    private static final Logger LOG = LoggerFactory.getLogger(Responses.class);
    /** Writes response bodies; field order is the maps' order. */
    public static final ObjectMapper JSON = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private static final ExecutorService FINISH = Executors.newVirtualThreadPerTaskExecutor();

    private Responses() {
    }

    /** An answer: a status and a body (null for none). */
    public record Response(int status, Object body) {
        public static Response ok(Object body) {
            return new Response(200, body);
        }

        public static Response created(Object body) {
            return new Response(201, body);
        }

        public static final Response NO_CONTENT = new Response(204, null);
    }

    /** A handler that answers at once. */
    @FunctionalInterface
    public interface Sync {
        Response handle(Context ctx) throws Exception;
    }

    /** A handler that answers later (a write, a password check). */
    @FunctionalInterface
    public interface Async {
        CompletableFuture<Response> handle(Context ctx) throws Exception;
    }

    public static Handler sync(Sync handler) {
        return ctx -> {
            try {
                write(ctx, handler.handle(ctx));
            } catch (Throwable e) {
                fail(ctx, e);
            }
        };
    }

    public static Handler async(Async handler) {
        return ctx -> {
            CompletableFuture<Response> work;
            try {
                work = handler.handle(ctx);
            } catch (Throwable e) {
                fail(ctx, e);
                return;
            }
            ctx.future(() -> work.handleAsync((response, error) -> {
                try {
                    if (error != null) {
                        fail(ctx, error);
                    } else {
                        write(ctx, response);
                    }
                } catch (Throwable e) {
                    fail(ctx, e);
                }
                return null;
            }, FINISH));
        };
    }

    public static void write(Context ctx, Response response) throws JsonProcessingException {
        ctx.status(response.status());
        if (response.body() != null) {
            ctx.contentType("application/json").result(JSON.writeValueAsBytes(response.body()));
        } else {
            ctx.result("");
        }
    }

    /** Answers any failure as the API's JSON error. */
    public static void fail(Context ctx, Throwable error) {
        ApiException e = toApiException(error);
        if (e.status() >= 500 && !"NO_MAJORITY".equals(e.code()) && !"BUSY".equals(e.code())) {
            LOG.warn("{} {} failed: {}", ctx.method(), ctx.path(), e.getMessage(), unwrap(error));
        }
        if (e.status() == 401) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"deskmesh\"");
        }
        if (e.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
        }
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("code", e.code());
        inner.put("message", e.getMessage() == null ? "" : e.getMessage());
        ctx.status(e.status()).contentType("application/json");
        try {
            ctx.result(JSON.writeValueAsBytes(Map.of("error", inner)));
        } catch (JsonProcessingException impossible) {
            ctx.result("{\"error\":{\"code\":\"INTERNAL\",\"message\":\"\"}}");
        }
    }

    /** The API error a failure becomes: its own, a missing majority (503) or an internal error (500). */
    public static ApiException toApiException(Throwable error) {
        Throwable e = unwrap(error);
        if (e instanceof ApiException api) {
            return api;
        }
        if (e instanceof NoQuorumException || e instanceof TimeoutException) {
            return new ApiException(503, "NO_MAJORITY", "the grid has no majority right now; try again (a write that timed"
                    + " out may still be applied once a majority is back, so check before repeating it)", 2);
        }
        if (e instanceof CommandSubmitException) {
            return new ApiException(503, "NOT_COMMITTED", "the grid has no majority right now or did not confirm the write"
                    + " in time (" + e.getMessage() + "); try again", 2);
        }
        return new ApiException(500, "INTERNAL", "internal error: " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()));
    }

    /** The API error a refused command becomes. */
    public static ApiException refused(Reply.Failed failed) {
        return new ApiException(status(failed.code()), failed.code().name(), failed.message());
    }

    /** The HTTP status of each model error. */
    public static int status(ErrorCode code) {
        return switch (code) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT, CAPACITY, SERVER_UNAVAILABLE -> 409;
            case NOT_ENTITLED -> 403;
            case NO_DESKTOP -> 503;
        };
    }

    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof CancellationException) {
            return new TimeoutException("cancelled");
        }
        return t;
    }
}
