package io.deskmesh.node.api.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.model.codec.Json;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * {@code POST /internal/v1/vms/prepare}: a front door asks this host to make some of its VMs ready
 * for sessions, {@code {"deadlineMs": N, "vms": ["vm-1", ...]}} (at most {@link #MAX_VMS}; a front
 * door sends the prepares for one host together when several connects land on it at once). Guarded
 * by the grid secret as Bearer token. Answers 200 with one result per VM, in the order asked:
 * {@code {"vmId", "ok": true, "started"}} or {@code {"vmId", "ok": false, "status", "code",
 * "message"}} where status is 409 (not this host's VM, or the VM failed), 503 (the hypervisor did
 * not answer) or 504 (the deadline passed); 400 for a malformed request, 401 without the secret.
 * Thread-safe.
 */
public final class PrepareEndpoint implements Consumer<JavalinConfig> {
    static final String PATH = "/internal/v1/vms/prepare";
    /** A host never holds a request longer than this, whatever the caller asks. */
    static final long MAX_DEADLINE_MS = 60_000;
    /** The most VMs one request may name. */
    static final int MAX_VMS = 256;

    private final HostPreparer host;
    private final byte[] secret;

    public PrepareEndpoint(HostPreparer host, String gridSecret) {
        this.host = host;
        this.secret = gridSecret.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.post(PATH, this::prepare);
    }

    /** What a front door asks for. */
    record Request(long deadlineMs, List<String> vms) {
    }

    private void prepare(Context ctx) {
        if (!authorized(ctx.header("Authorization"))) {
            BrokerResponses.error(ctx, 401, "BAD_TOKEN", "preparing VMs is for grid members: pass the grid's join token as"
                    + " 'Authorization: Bearer <token>'");
            return;
        }
        Request request;
        try {
            request = parse(ctx.bodyAsBytes());
        } catch (IllegalArgumentException e) {
            BrokerResponses.error(ctx, 400, "INVALID", e.getMessage());
            return;
        }
        List<CompletableFuture<Map<String, Object>>> results = new ArrayList<>(request.vms().size());
        for (String vmId : request.vms()) {
            results.add(host.prepare(vmId, request.deadlineMs()).handle((p, e) -> result(vmId, p, e)));
        }
        ctx.future(() -> CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).thenAccept(done ->
                ctx.json(Map.of("results", results.stream().map(CompletableFuture::join).toList()))));
    }

    private static Map<String, Object> result(String vmId, HostPreparer.Prepared p, Throwable e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("vmId", vmId);
        if (e == null) {
            out.put("ok", true);
            out.put("started", p.started());
            return out;
        }
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        out.put("ok", false);
        if (cause instanceof PrepareException pe) {
            out.put("status", pe.status());
            out.put("code", pe.code());
            out.put("message", pe.getMessage());
        } else {
            out.put("status", 500);
            out.put("code", "INTERNAL");
            out.put("message", String.valueOf(cause));
        }
        return out;
    }

    /** Reads and checks a request body; throws {@link IllegalArgumentException} saying what is wrong. */
    static Request parse(byte[] body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (Exception e) {
            throw new IllegalArgumentException("the body must be JSON {\"deadlineMs\": N, \"vms\": [\"vm-id\", ...]}: "
                    + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the body must be a JSON object {\"deadlineMs\": N, \"vms\": [...]}");
        }
        JsonNode vms = root.path("vms");
        if (!vms.isArray() || vms.isEmpty() || vms.size() > MAX_VMS) {
            throw new IllegalArgumentException("field 'vms' must be an array of 1 to " + MAX_VMS + " VM ids");
        }
        Set<String> ids = new LinkedHashSet<>();
        for (JsonNode v : vms) {
            if (!v.isTextual() || v.asText().isBlank()) {
                throw new IllegalArgumentException("field 'vms' must hold VM ids (strings), found " + v);
            }
            ids.add(v.asText());
        }
        JsonNode deadline = root.path("deadlineMs");
        long ms;
        if (deadline.isMissingNode() || deadline.isNull()) {
            ms = BrokerSettings.DEFAULTS.prepareDeadline().toMillis();
        } else if (deadline.isIntegralNumber() && deadline.asLong() >= 1) {
            ms = Math.min(MAX_DEADLINE_MS, deadline.asLong());
        } else {
            throw new IllegalArgumentException("field 'deadlineMs' must be a whole number of milliseconds >= 1, was "
                    + deadline);
        }
        return new Request(ms, List.copyOf(ids));
    }

    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8), secret);
    }
}
