package io.deskmesh.node.api.auth;

import io.deskmesh.model.image.UserImage;
import io.deskmesh.node.api.ApiContext;
import io.deskmesh.node.api.ApiSettings;
import io.deskmesh.node.api.RequestScheme;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Hands out a user's API token and writes the browser session's cookies: the token in
 * {@value TokenAuthenticator#COOKIE} (HttpOnly) and its CSRF value in {@value TokenAuthenticator#CSRF_COOKIE}
 * (the page's scripts read it), both {@code SameSite=Strict; Path=/}, and {@code Secure} when the
 * browser reached the node over https ({@link RequestScheme}: directly, or through a trusted proxy).
 * Used at login, at logout, and when a user changes their own credentials (the token they called with
 * stops working, so they get a new one). Thread-safe.
 */
public final class SessionIssuer {
    private final ApiContext context;
    private final ApiSettings settings;
    private final ApiTokens tokens;
    private final RequestScheme scheme;

    public SessionIssuer(ApiContext context, ApiSettings settings, ApiTokens tokens) {
        this.context = context;
        this.settings = settings;
        this.tokens = tokens;
        this.scheme = settings.scheme();
    }

    /** Whether cookies for this request get {@code Secure}; ask before going async. */
    public boolean https(Context ctx) {
        return scheme.https(ctx);
    }

    /** New claims for a user, valid from now for the configured lifetime. */
    public ApiTokens.Claims claims(UserImage user) {
        return tokens.issue(user, context.clock().getAsLong(), settings.tokenTtl().toMillis());
    }

    /**
     * The answer that hands a token over ({@code token, user, role, expiresAt, csrf}); with
     * {@code cookies}, also sets them on the response.
     */
    public Map<String, Object> hand(Context ctx, ApiTokens.Claims claims, UserImage user, boolean https, boolean cookies) {
        String token = tokens.encode(claims);
        String csrf = tokens.csrf(claims.tokenId());
        if (cookies) {
            long maxAge = Math.max(0, (claims.expiresAt() - context.clock().getAsLong()) / 1000);
            String flags = flags(maxAge, https);
            ctx.res().addHeader("Set-Cookie", TokenAuthenticator.COOKIE + "=" + token + flags + "; HttpOnly");
            ctx.res().addHeader("Set-Cookie", TokenAuthenticator.CSRF_COOKIE + "=" + csrf + flags);
        }
        ctx.header("Cache-Control", "no-store");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("token", token);
        out.put("user", user.name());
        out.put("role", user.role().name().toLowerCase(Locale.ROOT));
        out.put("expiresAt", Instant.ofEpochMilli(claims.expiresAt()).toString());
        out.put("csrf", csrf);
        return out;
    }

    /** Expires both cookies in the browser. */
    public void clear(Context ctx, boolean https) {
        String flags = flags(0, https);
        ctx.res().addHeader("Set-Cookie", TokenAuthenticator.COOKIE + "=" + flags + "; HttpOnly");
        ctx.res().addHeader("Set-Cookie", TokenAuthenticator.CSRF_COOKIE + "=" + flags);
    }

    /** Whether the request came with the session cookie (a browser), rather than only a bearer token. */
    public static boolean viaCookie(Context ctx) {
        String c = ctx.cookie(TokenAuthenticator.COOKIE);
        return c != null && !c.isEmpty();
    }

    private static String flags(long maxAge, boolean https) {
        return "; Path=/; Max-Age=" + maxAge + "; SameSite=Strict" + (https ? "; Secure" : "");
    }
}
