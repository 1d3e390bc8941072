package io.deskmesh.node.api.auth;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.UserImage;
import io.deskmesh.node.api.ApiContext;
import io.deskmesh.node.api.ApiException;
import io.deskmesh.node.api.Authenticator;
import io.deskmesh.node.api.Principal;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.util.Optional;

/**
 * Authenticates requests by an {@link ApiTokens API token}, from {@code Authorization: Bearer} or,
 * for browsers, the {@value #COOKIE} cookie. A token is accepted when its signature is valid, it has
 * not expired, it was not revoked at logout, and its user still exists with the same credentials;
 * the role comes from the current image, so a demotion applies to the next request. A request
 * authenticated by the cookie that changes something (POST, PUT, PATCH, DELETE) must also carry the
 * token's CSRF value in {@value #CSRF_HEADER}. Thread-safe.
 */
public final class TokenAuthenticator implements Authenticator {
    public static final String COOKIE = "deskmesh_session";
    public static final String CSRF_COOKIE = "deskmesh_csrf";
    public static final String CSRF_HEADER = "X-DeskMesh-CSRF";
    private static final String ATTRIBUTE = "deskmesh.principal";
    private static final String NOT_VALID = "your token is not valid: it may have expired or been revoked at logout;"
            + " log in again (POST /api/v1/auth/login)";

    private final ApiContext context;
    private final ApiTokens tokens;

    public TokenAuthenticator(ApiContext context, ApiTokens tokens) {
        this.context = context;
        this.tokens = tokens;
    }

    @Override
    public Principal require(Context ctx) {
        Principal known = ctx.attribute(ATTRIBUTE);
        if (known != null) {
            return known;
        }
        String header = ctx.header("Authorization");
        boolean viaCookie = header == null;
        String token;
        if (header != null) {
            if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                throw ApiException.unauthenticated("send the token from login as 'Authorization: Bearer <token>'");
            }
            token = header.substring(7).trim();
        } else {
            token = ctx.cookie(COOKIE);
            if (token == null || token.isEmpty()) {
                throw ApiException.unauthenticated("log in first (POST /api/v1/auth/login), then send the token as"
                        + " 'Authorization: Bearer <token>'");
            }
        }
        Valid valid = check(token).orElseThrow(() -> ApiException.unauthenticated(NOT_VALID));
        ApiTokens.Claims claims = valid.claims();
        UserImage user = valid.user();
        if (viaCookie && unsafe(ctx.method()) && !tokens.csrfMatches(claims.tokenId(), ctx.header(CSRF_HEADER))) {
            throw new ApiException(403, "CSRF", "a request authenticated by the session cookie that changes something"
                    + " must carry the header " + CSRF_HEADER + " with the 'csrf' value login returned");
        }
        Principal p = new Principal(user.name(), user.role(), claims.tokenId(), claims.expiresAt(), ctx.ip(), claims.stamp());
        ctx.attribute(ATTRIBUTE, p);
        return p;
    }

    /** The claims of a token that is valid now: signed, unexpired, unrevoked, of a user whose credentials are unchanged. */
    public Optional<ApiTokens.Claims> verify(String token) {
        return check(token).map(Valid::claims);
    }

    @Override
    public Optional<Principal> recheck(Principal p) {
        ClusterImage image = context.image().get();
        if (p.expiresAt() <= context.clock().getAsLong() || image.audit().revoked(p.tokenId())) {
            return Optional.empty();
        }
        return image.accounts().user(p.user()).filter(u -> ApiTokens.stamp(u).equals(p.stamp()))
                .map(u -> new Principal(u.name(), u.role(), p.tokenId(), p.expiresAt(), p.from(), p.stamp()));
    }

    /** A valid token's claims with its user, both read from one image. */
    private record Valid(ApiTokens.Claims claims, UserImage user) {
    }

    private Optional<Valid> check(String token) {
        ApiTokens.Claims c = tokens.decode(token).orElse(null);
        if (c == null) {
            return Optional.empty();
        }
        ClusterImage image = context.image().get();
        if (c.expiresAt() <= context.clock().getAsLong() || image.audit().revoked(c.tokenId())) {
            return Optional.empty();
        }
        UserImage user = image.accounts().user(c.user()).orElse(null);
        if (user == null || !ApiTokens.stamp(user).equals(c.stamp())) {
            return Optional.empty();
        }
        return Optional.of(new Valid(c, user));
    }

    private static boolean unsafe(HandlerType method) {
        return method == HandlerType.POST || method == HandlerType.PUT || method == HandlerType.PATCH
                || method == HandlerType.DELETE;
    }
}
