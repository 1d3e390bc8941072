package io.deskmesh.node.api.auth;

import io.deskmesh.model.image.UserImage;
import io.deskmesh.model.record.Role;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ApiTokensTest {
    private static final UserImage ANN = new UserImage("ann", "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA", Role.USER, "", 1_000);
    private final ApiTokens tokens = new ApiTokens("grid-secret-0123456789");

    @Test
    void aSignedTokenDecodesToItsClaims() {
        ApiTokens.Claims c = tokens.issue(ANN, 5_000, 60_000);
        assertThat(c.expiresAt()).isEqualTo(65_000);
        assertThat(c.tokenId()).hasSizeGreaterThanOrEqualTo(22);
        assertThat(tokens.decode(tokens.encode(c))).contains(c);
        assertThat(tokens.issue(ANN, 5_000, 60_000).tokenId()).as("ids are random").isNotEqualTo(c.tokenId());
    }

    @Test
    void aTamperedOrForeignTokenIsRefused() {
        String token = tokens.encode(tokens.issue(ANN, 5_000, 60_000));
        String[] parts = token.split("\\.");
        ApiTokens.Claims forged = new ApiTokens.Claims("x", "admin", 5_000, Long.MAX_VALUE, "s");
        String otherPayload = tokens.encode(forged).split("\\.")[1];
        assertThat(tokens.decode(parts[0] + "." + otherPayload + "." + parts[2])).as("payload swapped").isEmpty();
        assertThat(tokens.decode(token.substring(0, token.length() - 2) + "AA")).as("signature changed").isEmpty();
        assertThat(new ApiTokens("another-grid-secret-xyz").decode(token)).as("another grid's key").isEmpty();
        assertThat(tokens.decode("dm1.bm9uc2Vuc2U")).isEmpty();
        assertThat(tokens.decode("garbage")).isEmpty();
        assertThat(tokens.decode("dm1." + "A".repeat(2000) + ".x")).as("oversized").isEmpty();
        assertThat(tokens.decode(null)).isEmpty();
    }

    @Test
    void theCsrfValueBelongsToOneToken() {
        String csrf = tokens.csrf("token-1");
        assertThat(tokens.csrfMatches("token-1", csrf)).isTrue();
        assertThat(tokens.csrfMatches("token-2", csrf)).isFalse();
        assertThat(tokens.csrfMatches("token-1", null)).isFalse();
        assertThat(new ApiTokens("another-grid-secret-xyz").csrfMatches("token-1", csrf)).isFalse();
    }

    @Test
    void theStampChangesWithThePasswordAndTheAccount() {
        String stamp = ApiTokens.stamp(ANN);
        assertThat(ApiTokens.stamp(new UserImage("ann", ANN.passwordHash(), Role.ADMIN, "x", 1_000))).as("role and site")
                .isEqualTo(stamp);
        assertThat(ApiTokens.stamp(new UserImage("ann", ANN.passwordHash() + "x", Role.USER, "", 1_000))).isNotEqualTo(stamp);
        assertThat(ApiTokens.stamp(new UserImage("ann", ANN.passwordHash(), Role.USER, "", 2_000))).as("recreated")
                .isNotEqualTo(stamp);
    }
}
