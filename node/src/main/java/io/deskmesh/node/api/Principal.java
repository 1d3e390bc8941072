package io.deskmesh.node.api;

import io.deskmesh.model.record.Role;

/**
 * Who is calling: an authenticated user with the role the grid gives them now (looked up in the
 * image on every request, so a demotion takes effect at once), and the token that proved it.
 * Immutable.
 *
 * @param user      the user name
 * @param role      admin or user
 * @param tokenId   the id of the API token or browser session used
 * @param expiresAt when that token expires, epoch milliseconds
 * @param from      the client's address
 * @param stamp     the stamp of the user's credentials the token was issued under (see
 *                  {@code ApiTokens.stamp}): a caller holding a stream open is no longer valid once the
 *                  user's password changes or the account is recreated; empty where no token is involved
 */
public record Principal(String user, Role role, String tokenId, long expiresAt, String from, String stamp) {
    /** A caller proved by something other than a token (tests' authenticators): no credential stamp. */
    public Principal(String user, Role role, String tokenId, long expiresAt, String from) {
        this(user, role, tokenId, expiresAt, from, "");
    }

    public boolean admin() {
        return role == Role.ADMIN;
    }
}
