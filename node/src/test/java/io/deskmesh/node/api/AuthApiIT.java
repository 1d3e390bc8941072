package io.deskmesh.node.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.deskmesh.model.image.UserImage;
import io.deskmesh.node.api.ApiClient.Answer;
import io.deskmesh.node.api.auth.ApiTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Logging in and out, tokens, cookies and CSRF, failed-login limits, and how role and account changes
 * reach tokens, against a real two-node grid. Logins happen on node 1; node 2's login budget is spent
 * by the rate-limit test.
 */
class AuthApiIT {
    static ApiGrid grid;
    static ApiClient one;
    static ApiClient two;
    static String admin;

    @BeforeAll
    static void start() throws Exception {
        grid = ApiGrid.start(2, 2);
        one = grid.node(1);
        two = grid.node(2);
        admin = one.login("admin", ApiGrid.ADMIN_PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (grid != null) {
            grid.close();
        }
    }

    @Test
    void loginReturnsATokenItsRoleAndSessionCookies() {
        Answer a = one.post("/api/v1/auth/login").json(Map.of("username", "user1", "password", ApiGrid.USER_PASSWORD)).send();
        assertThat(a.status()).isEqualTo(200);
        JsonNode body = a.json();
        assertThat(body.path("user").asText()).isEqualTo("user1");
        assertThat(body.path("role").asText()).isEqualTo("user");
        String token = body.path("token").asText();
        assertThat(token).startsWith("dm1.");
        Instant expires = Instant.parse(body.path("expiresAt").asText());
        assertThat(Duration.between(Instant.now(), expires)).isBetween(Duration.ofHours(11), Duration.ofHours(12));
        List<String> cookies = a.all("Set-Cookie");
        assertThat(cookies).anySatisfy(c -> assertThat(c).startsWith("deskmesh_session=" + token + ";")
                .contains("HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43").doesNotContain("Secure"));
        assertThat(cookies).anySatisfy(c -> assertThat(c).startsWith("deskmesh_csrf=" + body.path("csrf").asText() + ";")
                .contains("SameSite=Strict").doesNotContain("HttpOnly"));
        assertThat(a.header("Cache-Control")).isEqualTo("no-store");
        assertThat(one.get("/api/v1/templates").token(admin).send().status()).isEqualTo(200);
    }

    @Test
    void failedLoginsNeverSayWhichOfUserOrPasswordWasWrongAndAreAudited() throws Exception {
        one.login("user1", ApiGrid.USER_PASSWORD);
        Answer wrongPassword = one.post("/api/v1/auth/login").json(Map.of("username", "user1", "password", "not-it-at-all"))
                .send();
        Answer unknownUser = one.post("/api/v1/auth/login").json(Map.of("username", "nobody-here", "password", "whatever1"))
                .send();
        assertThat(wrongPassword.status()).isEqualTo(401);
        assertThat(wrongPassword.errorCode()).isEqualTo("UNAUTHENTICATED");
        assertThat(wrongPassword.errorMessage()).isEqualTo("wrong user name or password");
        assertThat(unknownUser.status()).isEqualTo(401);
        assertThat(unknownUser.body()).isEqualTo(wrongPassword.body());
        assertThat(wrongPassword.all("Set-Cookie")).isEmpty();

        ApiGrid.await(() -> failures("nobody-here") == 1, "the failed login to be audited", 5_000);
        JsonNode events = one.get("/api/v1/events?action=login&actor=user1").token(admin).send().json().path("events");
        assertThat(StreamSupport.stream(events.spliterator(), false))
                .anySatisfy(e -> {
                    assertThat(e.path("ok").asBoolean()).isFalse();
                    assertThat(e.path("detail").asText()).isEqualTo("wrong password");
                    assertThat(e.path("from").asText()).isEqualTo("127.0.0.1");
                })
                .anySatisfy(e -> assertThat(e.path("ok").asBoolean()).isTrue());
    }

    private static long failures(String actor) {
        JsonNode events = one.get("/api/v1/events?action=login&actor=" + actor).token(admin).send().json().path("events");
        return StreamSupport.stream(events.spliterator(), false).filter(e -> !e.path("ok").asBoolean()).count();
    }

    @Test
    void loginRefusesMalformedBodiesNamingTheProblem() {
        Answer notJson = one.post("/api/v1/auth/login").json("{\"username\": \"admin\", ").send();
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.errorCode()).isEqualTo("INVALID");
        assertThat(notJson.errorMessage()).contains("not valid JSON", "line 1");

        Answer missing = one.post("/api/v1/auth/login").json(Map.of("username", "admin")).send();
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.errorMessage()).isEqualTo("field 'password' is missing; give a string");

        Answer wrongType = one.post("/api/v1/auth/login").json(Map.of("username", "admin", "password", 12345678)).send();
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.errorMessage()).contains("field 'password' must be a string, was a whole number");

        Answer unknown = one.post("/api/v1/auth/login").json(Map.of("user", "admin", "password", "x")).send();
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.errorMessage()).contains("field 'user' is not known", "did you mean 'username'?");

        Answer array = one.post("/api/v1/auth/login").json("[\"admin\"]").send();
        assertThat(array.status()).isEqualTo(400);
        assertThat(array.errorMessage()).contains("must be a JSON object, was an array");

        Answer form = one.post("/api/v1/auth/login").raw("username=admin&password=x".getBytes(),
                "application/x-www-form-urlencoded").send();
        assertThat(form.status()).isEqualTo(415);
        assertThat(form.errorCode()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");

        Answer huge = one.post("/api/v1/auth/login").raw(("{\"username\":\"" + "a".repeat(1_100_000) + "\"}").getBytes(),
                "application/json").send();
        assertThat(huge.status()).isEqualTo(413);
        assertThat(huge.errorCode()).isEqualTo("TOO_LARGE");
    }

    @Test
    void everythingButLoginRefusesTheUnauthenticated() {
        Answer none = one.get("/api/v1/templates").send();
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.errorCode()).isEqualTo("UNAUTHENTICATED");
        assertThat(none.errorMessage()).contains("POST /api/v1/auth/login");
        assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(one.get("/api/v1/templates").header("Authorization", "Basic YWRtaW46eA==").send().status()).isEqualTo(401);
        assertThat(one.get("/api/v1/templates").token("dm1.garbage.garbage").send().status()).isEqualTo(401);
        String forged = admin.substring(0, admin.lastIndexOf('.') + 1) + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        Answer bad = one.get("/api/v1/templates").token(forged).send();
        assertThat(bad.status()).isEqualTo(401);
        assertThat(bad.errorMessage()).contains("not valid");
        assertThat(one.post("/api/v1/auth/logout").send().status()).isEqualTo(401);
    }

    @Test
    void anExpiredTokenIsRefusedAndTheSameTokenUnexpiredIsAccepted() {
        ApiTokens tokens = new ApiTokens(grid.server(1).joinToken());
        UserImage user = grid.server(1).image().accounts().user("admin").orElseThrow();
        long now = System.currentTimeMillis();
        ApiTokens.Claims live = tokens.issue(user, now - 60_000, 3_600_000);
        ApiTokens.Claims expired = new ApiTokens.Claims(live.tokenId(), live.user(), now - 7_200_000, now - 1_000, live.stamp());
        assertThat(two.get("/api/v1/users").token(tokens.encode(live)).send().status()).isEqualTo(200);
        Answer refused = two.get("/api/v1/users").token(tokens.encode(expired)).send();
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.errorMessage()).contains("expired");
    }

    @Test
    void logoutRevokesTheTokenOnEveryNode() throws Exception {
        String token = one.login("user2", ApiGrid.USER_PASSWORD);
        String otherToken = one.login("user2", ApiGrid.USER_PASSWORD);
        grid.settle();
        assertThat(two.get("/api/v1/templates").token(token).send().status()).as("authenticated, not admin").isEqualTo(403);

        Answer out = one.post("/api/v1/auth/logout").token(token).send();
        assertThat(out.status()).isEqualTo(204);
        assertThat(out.all("Set-Cookie")).anySatisfy(c -> assertThat(c).startsWith("deskmesh_session=;").contains("Max-Age=0"));
        assertThat(one.get("/api/v1/templates").token(token).send().status()).as("on the node that logged out").isEqualTo(401);
        ApiGrid.await(() -> two.get("/api/v1/templates").token(token).send().status() == 401, "node 2 to refuse the token",
                5_000);
        assertThat(one.post("/api/v1/auth/logout").token(token).send().status()).as("logging out twice").isEqualTo(401);
        assertThat(two.get("/api/v1/templates").token(otherToken).send().status()).as("the user's other token").isEqualTo(403);
        ApiGrid.await(() -> events("logout", "user2") >= 1, "the logout to be audited", 5_000);
    }

    private static long events(String action, String actor) {
        return one.get("/api/v1/events?action=" + action + "&actor=" + actor).token(admin).send().json().path("events").size();
    }

    @Test
    void cookieAuthenticatedChangesNeedTheCsrfHeader() {
        Answer login = one.post("/api/v1/auth/login").json(Map.of("username", "admin", "password", ApiGrid.ADMIN_PASSWORD))
                .send();
        String cookie = "deskmesh_session=" + login.json().path("token").asText();
        String csrf = login.json().path("csrf").asText();

        assertThat(one.get("/api/v1/groups").header("Cookie", cookie).send().status()).as("reads need no CSRF").isEqualTo(200);
        Answer without = one.post("/api/v1/groups").header("Cookie", cookie).json(Map.of("name", "csrf-a")).send();
        assertThat(without.status()).isEqualTo(403);
        assertThat(without.errorCode()).isEqualTo("CSRF");
        assertThat(without.errorMessage()).contains("X-DeskMesh-CSRF");
        Answer wrong = one.post("/api/v1/groups").header("Cookie", cookie).header("X-DeskMesh-CSRF", "nope")
                .json(Map.of("name", "csrf-a")).send();
        assertThat(wrong.status()).isEqualTo(403);
        Answer other = one.post("/api/v1/groups").header("Cookie", cookie)
                .header("X-DeskMesh-CSRF", new ApiTokens(grid.server(1).joinToken()).csrf("another-token"))
                .json(Map.of("name", "csrf-a")).send();
        assertThat(other.status()).as("another token's CSRF value").isEqualTo(403);
        assertThat(grid.server(1).image().accounts().groupExists("csrf-a")).isFalse();

        Answer with = one.post("/api/v1/groups").header("Cookie", cookie).header("X-DeskMesh-CSRF", csrf)
                .json(Map.of("name", "csrf-a")).send();
        assertThat(with.status()).isEqualTo(201);
        assertThat(two.delete("/api/v1/groups/csrf-a").header("Cookie", cookie).send().status()).as("on another node too")
                .isEqualTo(403);
        assertThat(one.post("/api/v1/groups").token(admin).json(Map.of("name", "csrf-b")).send().status())
                .as("bearer tokens need no CSRF").isEqualTo(201);
    }

    @Test
    void usersAreRefusedAdminEndpoints() {
        String user = one.login("user1", ApiGrid.USER_PASSWORD);
        Answer list = one.get("/api/v1/users").token(user).send();
        assertThat(list.status()).isEqualTo(403);
        assertThat(list.errorCode()).isEqualTo("FORBIDDEN");
        assertThat(list.errorMessage()).contains("'user1' is not one");
        assertThat(one.post("/api/v1/users").token(user).json(Map.of("name", "eve", "password", "eve-password")).send()
                .status()).isEqualTo(403);
        assertThat(grid.server(1).image().accounts().user("eve")).isEmpty();
    }

    @Test
    void aDemotionTakesEffectOnTheNextRequest() throws Exception {
        assertThat(one.post("/api/v1/users").token(admin).json(Map.of("name", "dora", "password", "dora-password-1",
                "role", "admin")).send().status()).isEqualTo(201);
        String dora = one.login("dora", "dora-password-1");
        grid.settle();
        assertThat(one.get("/api/v1/users").token(dora).send().status()).isEqualTo(200);
        assertThat(two.get("/api/v1/users").token(dora).send().status()).isEqualTo(200);

        assertThat(one.put("/api/v1/users/dora").token(admin).json(Map.of("role", "user")).send().status()).isEqualTo(200);
        assertThat(one.get("/api/v1/users").token(dora).send().status()).as("same token, same node, at once").isEqualTo(403);
        ApiGrid.await(() -> two.get("/api/v1/users").token(dora).send().status() == 403, "node 2 to see the demotion", 5_000);
    }

    @Test
    void aNewPasswordOrADeletionEndsTheUsersTokens() throws Exception {
        assertThat(one.post("/api/v1/users").token(admin).json(Map.of("name", "finn", "password", "finn-password-1"))
                .send().status()).isEqualTo(201);
        String before = one.login("finn", "finn-password-1");
        assertThat(one.put("/api/v1/users/finn").token(admin).json(Map.of("password", "finn-password-2")).send().status())
                .isEqualTo(200);
        assertThat(one.get("/api/v1/users").token(before).send().status()).isEqualTo(401);
        assertThat(one.post("/api/v1/auth/login").json(Map.of("username", "finn", "password", "finn-password-1")).send()
                .status()).isEqualTo(401);
        String after = one.login("finn", "finn-password-2");
        assertThat(one.get("/api/v1/users").token(after).send().status()).isEqualTo(403);

        assertThat(one.delete("/api/v1/users/finn").token(admin).send().status()).isEqualTo(204);
        assertThat(one.get("/api/v1/users").token(after).send().status()).isEqualTo(401);
    }

    @Test
    void aNewPasswordEndsTheUsersBrowserSessionsToo() {
        assertThat(one.post("/api/v1/users").token(admin).json(Map.of("name", "hugo", "password", "hugo-password-1"))
                .send().status()).isEqualTo(201);
        Answer login = one.post("/api/v1/auth/login").json(Map.of("username", "hugo", "password", "hugo-password-1")).send();
        String cookie = "deskmesh_session=" + login.json().path("token").asText();
        assertThat(one.get("/api/v1/desktops").header("Cookie", cookie).send().status()).isEqualTo(200);

        assertThat(one.put("/api/v1/users/hugo").token(admin).json(Map.of("password", "hugo-password-2")).send().status())
                .isEqualTo(200);
        Answer after = one.get("/api/v1/desktops").header("Cookie", cookie).send();
        assertThat(after.status()).isEqualTo(401);
        assertThat(after.errorCode()).isEqualTo("UNAUTHENTICATED");
        assertThat(two.get("/api/v1/desktops").header("Cookie", cookie).send().status()).as("on another node too")
                .isEqualTo(401);
    }

    @Test
    void changingYourOwnPasswordKeepsThisSessionAndEndsTheOthers() {
        assertThat(one.post("/api/v1/users").token(admin).json(Map.of("name", "gina", "password", "gina-password-1",
                "role", "admin")).send().status()).isEqualTo(201);
        String elsewhere = one.login("gina", "gina-password-1");
        Answer login = one.post("/api/v1/auth/login").json(Map.of("username", "gina", "password", "gina-password-1")).send();
        String cookie = "deskmesh_session=" + login.json().path("token").asText();
        String csrf = login.json().path("csrf").asText();

        Answer changed = one.put("/api/v1/users/gina").header("Cookie", cookie).header("X-DeskMesh-CSRF", csrf)
                .json(Map.of("password", "gina-password-2")).send();
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        JsonNode session = changed.json().path("session");
        String renewed = session.path("token").asText();
        assertThat(renewed).startsWith("dm1.").isNotEqualTo(login.json().path("token").asText());
        assertThat(changed.all("Set-Cookie")).anySatisfy(c -> assertThat(c).startsWith("deskmesh_session=" + renewed + ";")
                .contains("HttpOnly", "SameSite=Strict"));
        assertThat(changed.all("Set-Cookie")).anySatisfy(c -> assertThat(c)
                .startsWith("deskmesh_csrf=" + session.path("csrf").asText() + ";"));

        assertThat(one.get("/api/v1/users").header("Cookie", cookie).send().status()).as("the old cookie").isEqualTo(401);
        assertThat(one.get("/api/v1/users").token(elsewhere).send().status()).as("the other session").isEqualTo(401);
        assertThat(one.get("/api/v1/users").header("Cookie", "deskmesh_session=" + renewed).send().status())
                .as("this session, with its new cookie").isEqualTo(200);
        assertThat(one.put("/api/v1/users/gina").header("Cookie", "deskmesh_session=" + renewed)
                .header("X-DeskMesh-CSRF", session.path("csrf").asText()).json(Map.of("groups", List.of())).send().status())
                .as("changes with the new CSRF value").isEqualTo(200);

        Answer byToken = one.put("/api/v1/users/gina").token(renewed).json(Map.of("password", "gina-password-3")).send();
        assertThat(byToken.all("Set-Cookie")).as("a caller without the cookie gets no cookie").isEmpty();
        assertThat(one.get("/api/v1/users").token(byToken.json().path("session").path("token").asText()).send().status())
                .isEqualTo(200);
        Answer other = one.put("/api/v1/users/gina").token(admin).json(Map.of("password", "gina-password-4")).send();
        assertThat(other.json().has("session")).as("an admin changing someone else gets no token of theirs").isFalse();
    }

    @Test
    void aForwardedHttpsIsIgnoredUnlessTheOperatorTrustsAProxy() {
        Answer a = one.post("/api/v1/auth/login").header("X-Forwarded-Proto", "https")
                .json(Map.of("username", "user1", "password", ApiGrid.USER_PASSWORD)).send();
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.all("Set-Cookie")).hasSize(2).allSatisfy(c -> assertThat(c).doesNotContain("Secure"));
        assertThat(a.header("Strict-Transport-Security")).isNull();
    }

    @Test
    void failedLoginsAreLimitedPerUserAndPerAddress() throws Exception {
        int perUser = grid.server(2).api().settings().userFailures();
        int perAddress = grid.server(2).api().settings().addressFailures();
        for (int i = 0; i < perUser; i++) {
            assertThat(two.post("/api/v1/auth/login").json(Map.of("username", "user2", "password", "guess-" + i)).send()
                    .status()).isEqualTo(401);
        }
        Answer limited = two.post("/api/v1/auth/login").json(Map.of("username", "user2", "password", ApiGrid.USER_PASSWORD))
                .send();
        assertThat(limited.status()).as("even the right password, once the budget is spent").isEqualTo(429);
        assertThat(limited.errorCode()).isEqualTo("RATE_LIMITED");
        assertThat(limited.errorMessage()).contains("user 'user2'", "try again in");
        assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 12L);
        assertThat(one.login("user2", ApiGrid.USER_PASSWORD)).as("node 1 keeps its own budget").isNotEmpty();

        // the address budget refills one attempt per few seconds while this runs, so count until refused
        int refusedAfter = -1;
        Answer byAddress = null;
        for (int i = 0; i < perAddress + 10 && refusedAfter < 0; i++) {
            byAddress = two.post("/api/v1/auth/login").json(Map.of("username", "guesser" + i, "password", "guess")).send();
            if (byAddress.status() == 429) {
                refusedAfter = i;
            } else {
                assertThat(byAddress.status()).isEqualTo(401);
            }
        }
        assertThat(refusedAfter).as("other names from the same address run out of the address's budget")
                .isGreaterThanOrEqualTo(perAddress - perUser);
        assertThat(byAddress.errorMessage()).contains("your address");
        ApiGrid.await(() -> events("login.throttled", "user2") >= 1, "the throttling to be audited", 5_000);
    }
}
