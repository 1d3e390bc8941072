package io.deskmesh.node.api;

import io.deskmesh.node.Node;
import io.deskmesh.node.NodeConfig;
import io.deskmesh.node.api.ApiClient.Answer;
import io.deskmesh.testkit.LoopbackPorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node started with {@code --trust-forwarded-proto}, as behind a TLS proxy: the session cookies are
 * {@code Secure} (and the answers carry Strict-Transport-Security) exactly when the proxy's
 * {@code X-Forwarded-Proto} says the browser came over https. The default, trusting no proxy, is in
 * {@link AuthApiIT}.
 */
class ForwardedProtoIT {
    private static final String PASSWORD = "admin-password-1";

    @TempDir
    static Path data;
    static Node node;
    static ApiClient api;

    @BeforeAll
    static void start() throws Exception {
        int base = LoopbackPorts.demoGridBlock(1);
        node = Node.start(new NodeConfig("n1", data.resolve("n1"), "127.0.0.1:" + base, "127.0.0.1:" + (base + 1000),
                null, null, "sim", "", null, Duration.ofSeconds(5), PASSWORD).withTrustForwardedProto(true));
        api = new ApiClient(node.url());
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void cookiesAreSecureWhenTheProxySaysHttps() {
        Answer a = login("https");
        assertThat(a.all("Set-Cookie")).hasSize(2).allSatisfy(c -> assertThat(c).contains("; Secure", "SameSite=Strict"));
        assertThat(a.all("Set-Cookie")).anySatisfy(c -> assertThat(c).startsWith("deskmesh_session=").contains("HttpOnly"));
        assertThat(a.header("Strict-Transport-Security")).isEqualTo("max-age=31536000");

        Answer chain = login("HTTPS, http");
        assertThat(chain.all("Set-Cookie")).as("the first proxy's view counts").allSatisfy(c -> assertThat(c).contains("; Secure"));

        Answer out = api.post("/api/v1/auth/logout").header("X-Forwarded-Proto", "https")
                .token(a.json().path("token").asText()).send();
        assertThat(out.status()).isEqualTo(204);
        assertThat(out.all("Set-Cookie")).hasSize(2).allSatisfy(c -> assertThat(c).contains("Max-Age=0", "; Secure"));
    }

    @Test
    void cookiesAreNotSecureWhenTheProxySaysHttpOrNothing() {
        for (String proto : new String[]{"http", null}) {
            Answer a = login(proto);
            assertThat(a.all("Set-Cookie")).as(String.valueOf(proto)).hasSize(2)
                    .allSatisfy(c -> assertThat(c).doesNotContain("Secure").contains("SameSite=Strict"));
            assertThat(a.header("Strict-Transport-Security")).isNull();
        }
    }

    private static Answer login(String proto) {
        ApiClient.Call call = api.post("/api/v1/auth/login");
        if (proto != null) {
            call.header("X-Forwarded-Proto", proto);
        }
        Answer a = call.json(Map.of("username", "admin", "password", PASSWORD)).send();
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return a;
    }
}
