package io.deskmesh.node.api;

import io.javalin.http.Context;

import java.util.Optional;

/**
 * Finds who is calling from a request's {@code Authorization: Bearer} token or session cookie.
 * Thread-safe.
 */
public interface Authenticator {
    /**
     * The caller, or an {@link ApiException} with status 401 (no, expired, revoked or forged token; a
     * deleted user) — never says which.
     */
    Principal require(Context ctx);

    /**
     * Whether a caller authenticated earlier (one holding a long-lived stream open) still would be
     * now: the token unexpired and unrevoked, the user still there with the credentials the token was
     * issued under (same password, not recreated), with the role the grid gives them now. Without a
     * store of tokens to ask, the caller stays valid.
     */
    default Optional<Principal> recheck(Principal p) {
        return Optional.of(p);
    }

    /** The caller if an admin; 401 when unauthenticated, 403 when not an admin. */
    default Principal requireAdmin(Context ctx) {
        Principal p = require(ctx);
        if (!p.admin()) {
            throw new ApiException(403, "FORBIDDEN", "this needs an admin; user '" + p.user() + "' is not one");
        }
        return p;
    }
}
