package io.deskmesh.node;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.deskmesh.raft.Membership;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;

/**
 * How a new server asks a member to let it in: {@code POST /internal/v1/join} with its name, Raft
 * address and the grid's join token; the member checks the token and answers with the grid id, the
 * Raft peers to contact and whether the newcomer joins as a voter or a non-voting listener (the grid
 * keeps at most a few voters). Stateless, thread-safe.
 */
public final class JoinProtocol {
    static final ObjectMapper JSON = JsonMapper.builder().build();
    static final int INITIAL_VOTERS = 3;

    private JoinProtocol() {
    }

    public record JoinRequest(String name, String raft, String token) {
    }

    public record JoinResponse(String gridId, List<Membership.Peer> peers, boolean asListener) {
    }

    /** The member's answer to a join request; throws {@link SecurityException} on a wrong token. */
    static JoinResponse answer(JoinRequest request, String gridId, String gridToken, Membership membership) {
        if (request.token() == null || !constantTimeEquals(request.token(), gridToken)) {
            throw new SecurityException("the join token is wrong; use the token the first node printed");
        }
        if (membership.contains(request.name())) {
            return new JoinResponse(gridId, peers(membership), membership.listenerIds().contains(request.name()));
        }
        boolean asListener = membership.voterIds().size() >= INITIAL_VOTERS;
        return new JoinResponse(gridId, peers(membership), asListener);
    }

    private static List<Membership.Peer> peers(Membership m) {
        return m.voters();
    }

    /** Asks a member to let this node in. */
    static JoinResponse request(String member, JoinRequest request) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest post = HttpRequest.newBuilder(URI.create("http://" + member + "/internal/v1/join"))
                .timeout(Duration.ofSeconds(15))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(request)))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(post, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IOException("cannot reach grid member " + member + " to join: " + e.getMessage()
                    + "; check --join points at a running node's HTTP address", e);
        }
        if (response.statusCode() == 403) {
            throw new IOException("grid member " + member + " refused the join token; pass the token the first node printed");
        }
        if (response.statusCode() != 200) {
            throw new IOException("grid member " + member + " answered " + response.statusCode() + " to the join request: "
                    + response.body());
        }
        return JSON.readValue(response.body(), JoinResponse.class);
    }

    static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
