package io.deskmesh.node.api;

import io.javalin.http.Context;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A request's query parameters, checked like bodies: a parameter the endpoint does not know, or one
 * given twice, is refused with 400 rather than ignored. Not thread-safe (one per request).
 */
public final class QueryParams {
    private final Context ctx;

    private QueryParams(Context ctx) {
        this.ctx = ctx;
    }

    public static QueryParams of(Context ctx, Set<String> known) {
        for (Map.Entry<String, List<String>> e : ctx.queryParamMap().entrySet()) {
            if (!known.contains(e.getKey())) {
                throw ApiException.invalid("query parameter '" + e.getKey() + "' is not known here; known: "
                        + (known.isEmpty() ? "none" : String.join(", ", known.stream().sorted().toList())));
            }
            if (e.getValue().size() > 1) {
                throw ApiException.invalid("query parameter '" + e.getKey() + "' is given " + e.getValue().size()
                        + " times; give it once");
            }
        }
        return new QueryParams(ctx);
    }

    /** The value, or null when absent or empty. */
    public String string(String name) {
        String v = ctx.queryParam(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** The whole number in {@code min..max}, or {@code absent}. */
    public long number(String name, long absent, long min, long max) {
        String v = string(name);
        if (v == null) {
            return absent;
        }
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiException.invalid("query parameter '" + name + "' must be a whole number, was '" + v + "'");
        }
        if (n < min || n > max) {
            throw ApiException.invalid("query parameter '" + name + "' must be between " + min + " and " + max + ", was " + n);
        }
        return n;
    }
}
