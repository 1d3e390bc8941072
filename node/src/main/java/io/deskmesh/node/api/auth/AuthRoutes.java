package io.deskmesh.node.api.auth;

import io.deskmesh.model.command.RevokeTokenCommand;
import io.deskmesh.model.image.UserImage;
import io.deskmesh.node.api.ApiContext;
import io.deskmesh.node.api.ApiException;
import io.deskmesh.node.api.ApiSettings;
import io.deskmesh.node.api.AuditedWrites;
import io.deskmesh.node.api.JsonBody;
import io.deskmesh.node.api.Principal;
import io.deskmesh.node.api.Responses;
import io.deskmesh.node.api.Responses.Response;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/auth/login} and {@code POST /api/v1/auth/logout}. Login checks the password on
 * the {@link HashingPool} within the {@link LoginThrottle}'s budget, answers every failure with the
 * same 'wrong user name or password', and on success returns a token (and sets it, with its CSRF
 * value, as cookies for browsers: {@link SessionIssuer}) once the login is in the audit trail. Logout
 * revokes the token grid-wide. Thread-safe.
 */
public final class AuthRoutes implements Consumer<JavalinConfig> {
    /** Failed logins say only this, whichever of the two was wrong. */
    public static final String WRONG = "wrong user name or password";
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final int MAX_PASSWORD_CHARS = 1024;

    private final ApiContext context;
    private final ApiSettings settings;
    private final SessionIssuer sessions;
    private final TokenAuthenticator auth;
    private final LoginThrottle throttle;
    private final HashingPool hashing;
    private final AuditedWrites writes;
    /** A hash with the hasher's parameters, verified for unknown users so they take as long as known ones. */
    private volatile String decoy;

    public AuthRoutes(ApiContext context, ApiSettings settings, SessionIssuer sessions, TokenAuthenticator auth,
                      LoginThrottle throttle, HashingPool hashing, AuditedWrites writes) {
        this.context = context;
        this.settings = settings;
        this.sessions = sessions;
        this.auth = auth;
        this.throttle = throttle;
        this.hashing = hashing;
        this.writes = writes;
    }

    @Override
    public void accept(JavalinConfig config) {
        config.routes.post("/api/v1/auth/login", Responses.async(this::login));
        config.routes.post("/api/v1/auth/logout", Responses.async(this::logout));
    }

    private CompletableFuture<Response> login(Context ctx) {
        JsonBody body = JsonBody.read(ctx, settings.maxBodyBytes(), Set.of("username", "password"), Set.of());
        String username = body.requiredString("username");
        String password = body.requiredString("password");
        if (username.isEmpty() || username.length() > 256) {
            throw ApiException.invalid("field 'username' must have 1 to 256 characters");
        }
        if (password.isEmpty() || password.length() > MAX_PASSWORD_CHARS) {
            throw ApiException.invalid("field 'password' must have 1 to " + MAX_PASSWORD_CHARS + " characters");
        }
        String from = ctx.ip();
        String actor = USER_NAME.matcher(username).matches() ? username : "(invalid user name)";
        LoginThrottle.Ticket ticket;
        try {
            ticket = throttle.acquire(username, from, context.clock().getAsLong());
        } catch (LoginThrottle.Throttled e) {
            if (e.report()) {
                writes.record(actor, "login.throttled", "", from, false, e.key() + ": " + e.getMessage());
            }
            throw e;
        }
        CompletableFuture<UserImage> checked;
        try {
            checked = hashing.run(() -> check(username, password));
        } catch (ApiException busy) {
            throw refunded(ticket, busy);
        }
        boolean https = sessions.https(ctx);
        return checked.thenCompose(user -> {
            if (user == null) {
                throttle.failed(ticket, context.clock().getAsLong());
                writes.record(actor, "login", "", from, false, context.image().get().accounts().user(username).isPresent()
                        ? "wrong password" : "unknown user");
                throw ApiException.unauthenticated(WRONG);
            }
            throttle.refund(ticket, context.clock().getAsLong());
            ApiTokens.Claims claims = sessions.claims(user);
            return writes.record(user.name(), "login", "", from, true, "token " + claims.tokenId())
                    .thenApply(recorded -> Response.ok(sessions.hand(ctx, claims, user, https, true)));
        });
    }

    private ApiException refunded(LoginThrottle.Ticket ticket, ApiException e) {
        throttle.refund(ticket, context.clock().getAsLong());
        return e;
    }

    /** The user if the password is theirs, else null; as slow for unknown users as for known ones. */
    private UserImage check(String username, String password) {
        UserImage user = context.image().get().accounts().user(username).orElse(null);
        if (user == null) {
            settings.hasher().verify(password, decoy());
            return null;
        }
        return settings.hasher().verify(password, user.passwordHash()) ? user : null;
    }

    private String decoy() {
        String d = decoy;
        if (d == null) {
            d = settings.hasher().hash("decoy-" + System.nanoTime());
            decoy = d;
        }
        return d;
    }

    private CompletableFuture<Response> logout(Context ctx) {
        Principal p = auth.require(ctx);
        JsonBody.none(ctx, settings.maxBodyBytes());
        boolean https = sessions.https(ctx);
        return writes.submit(new AuditedWrites.Change(p, "logout", p.user(), "token " + p.tokenId()),
                List.of(new RevokeTokenCommand(p.tokenId(), p.expiresAt()))).thenApply(replies -> {
                    sessions.clear(ctx, https);
                    return Response.NO_CONTENT;
                });
    }
}
