package io.deskmesh.node.api.broker;

import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * {@code POST /internal/v1/vms/{vmId}/prepare?deadlineMs=N}: a front door asks this host to make one of
 * its VMs ready for a session. Guarded by the grid secret as Bearer token. Answers 200 with the VM and
 * where its console listens (for the front door's console proxy; never passed on to clients), or
 * {@code {"error":{"code","message"}}} with 409 (not this host's VM, or the VM failed), 503 (the
 * hypervisor did not answer) or 504 (the deadline passed). Thread-safe.
 */
public final class PrepareEndpoint implements Consumer<JavalinConfig> {
    static final String PATH = "/internal/v1/vms/{vmId}/prepare";
    /** A host never holds a request longer than this, whatever the caller asks. */
    static final long MAX_DEADLINE_MS = 60_000;

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

    private void prepare(Context ctx) {
        if (!authorized(ctx.header("Authorization"))) {
            BrokerResponses.error(ctx, 401, "BAD_TOKEN", "preparing VMs is for grid members: pass the grid's join token as"
                    + " 'Authorization: Bearer <token>'");
            return;
        }
        long deadline;
        try {
            deadline = deadline(ctx.queryParam("deadlineMs"));
        } catch (NumberFormatException e) {
            BrokerResponses.error(ctx, 400, "INVALID", "query parameter 'deadlineMs' is '" + ctx.queryParam("deadlineMs")
                    + "', not a whole number of milliseconds");
            return;
        }
        String vmId = ctx.pathParam("vmId");
        ctx.future(() -> host.prepare(vmId, deadline).handle((p, e) -> {
            if (e == null) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("vmId", p.vmId());
                out.put("server", p.server());
                out.put("started", p.started());
                out.put("console", p.console() == null ? null : Map.of("protocol", p.console().protocol().name().toLowerCase(),
                        "host", p.console().host(), "port", p.console().port()));
                ctx.json(out);
            } else {
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof PrepareException pe) {
                    BrokerResponses.error(ctx, pe.status(), pe.code(), pe.getMessage());
                } else {
                    BrokerResponses.error(ctx, 500, "INTERNAL", String.valueOf(cause));
                }
            }
            return null;
        }));
    }

    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8), secret);
    }

    private static long deadline(String value) {
        if (value == null || value.isBlank()) {
            return BrokerSettings.DEFAULTS.prepareDeadline().toMillis();
        }
        return Math.max(1, Math.min(MAX_DEADLINE_MS, Long.parseLong(value.trim())));
    }
}
