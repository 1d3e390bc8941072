package io.deskmesh.node.api.broker;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.UserImage;
import io.deskmesh.node.api.ApiException;
import io.deskmesh.node.api.Authenticator;
import io.deskmesh.node.api.Principal;
import io.javalin.http.Context;

import java.util.function.Supplier;

/**
 * Test stand-in for the admin API's token authenticator: the caller is the user named by the
 * {@code X-Test-User} header, with the role the image gives them now. No header or an unknown user
 * is answered 401. Thread-safe.
 */
final class TestAuthenticator implements Authenticator {
    static final String HEADER = "X-Test-User";
    private final Supplier<ClusterImage> image;

    TestAuthenticator(Supplier<ClusterImage> image) {
        this.image = image;
    }

    @Override
    public Principal require(Context ctx) {
        String name = ctx.header(HEADER);
        UserImage u = name == null ? null : image.get().accounts().user(name).orElse(null);
        if (u == null) {
            throw new ApiException(401, "UNAUTHENTICATED", "log in first");
        }
        return new Principal(u.name(), u.role(), "test-" + u.name(), Long.MAX_VALUE, ctx.ip());
    }
}
