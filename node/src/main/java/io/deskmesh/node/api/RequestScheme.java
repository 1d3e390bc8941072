package io.deskmesh.node.api;

import io.javalin.http.Context;

import java.util.Locale;

/**
 * Whether a browser reached the node over https: the connection's own scheme, or, behind a TLS proxy
 * the operator said to trust ({@code --trust-forwarded-proto}), the first value of the proxy's
 * {@code X-Forwarded-Proto}. Untrusted, the header is ignored: any client can send it, and a node
 * reached over plain http that believed it would set cookies the browser then refuses to send back.
 * Immutable.
 *
 * @param trustForwardedProto whether to believe {@code X-Forwarded-Proto}
 */
public record RequestScheme(boolean trustForwardedProto) {
    public static final String FORWARDED_PROTO = "X-Forwarded-Proto";

    public boolean https(Context ctx) {
        if ("https".equalsIgnoreCase(ctx.scheme())) {
            return true;
        }
        if (!trustForwardedProto) {
            return false;
        }
        String forwarded = ctx.header(FORWARDED_PROTO);
        if (forwarded == null) {
            return false;
        }
        // a chain of proxies appends: the first value is what the client used with the outermost one
        return forwarded.split(",", 2)[0].trim().toLowerCase(Locale.ROOT).equals("https");
    }
}
