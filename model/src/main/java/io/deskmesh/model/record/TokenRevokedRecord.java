package io.deskmesh.model.record;

/**
 * An API token was revoked (log-out) before it expired; every node refuses it from now on, until it
 * would have expired anyway. Type id 91.
 *
 * @param tokenId   the token's id (not the token itself)
 * @param expiresAt when the token expires, epoch milliseconds; the revocation is forgotten after
 * @param at        log time
 */
public record TokenRevokedRecord(String tokenId, long expiresAt, long at) implements MeshRecord {
    public TokenRevokedRecord {
        java.util.Objects.requireNonNull(tokenId, "tokenId");
    }
}
