package io.deskmesh.node;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.deskmesh.raft.Membership;
import io.deskmesh.raft.VoterPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How a new server asks a member to let it in: {@code POST /internal/v1/join} with its name, Raft
 * address and the grid's join token; the member checks the token and answers with the grid id, the
 * Raft peers to contact and whether the newcomer joins as a voter or a non-voting listener. The
 * member decides that with {@link VoterPolicy}, as the leader's periodic rebalance does, so the two
 * never pull in different directions. A server that already is a member gets its current role: a
 * restarting node asks that before it starts its Raft server ({@link #askRole}). Stateless,
 * thread-safe.
 */
public final class JoinProtocol {
    private static final Logger LOG = LoggerFactory.getLogger(JoinProtocol.class);
    static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private JoinProtocol() {
    }

    public record JoinRequest(String name, String raft, String token) {
    }

    /**
     * @param gridId     the grid's id
     * @param peers      the voters' Raft peers, to contact
     * @param asListener whether the server (joins or already is) a non-voting listener
     * @param member     whether the server already is in the grid's Raft group (absent from old members: false)
     */
    public record JoinResponse(String gridId, List<Membership.Peer> peers, boolean asListener, boolean member) {
    }

    /**
     * Newcomers a member answered within the last minute that are not members yet, so that servers
     * joining at the same moment are counted together (else each would see the lone first server and
     * listen, and the grid would keep one voter). Thread-safe.
     */
    static final class RecentJoins {
        static final long REMEMBER_MS = 60_000;
        private final Map<String, Long> answered = new ConcurrentHashMap<>();

        Set<String> pending(Membership membership, long now) {
            answered.entrySet().removeIf(e -> now - e.getValue() > REMEMBER_MS || membership.contains(e.getKey()));
            return new TreeSet<>(answered.keySet());
        }

        void answered(String name, long now) {
            answered.put(name, now);
        }
    }

    /** The member's answer to a join request; throws {@link SecurityException} on a wrong token. */
    static JoinResponse answer(JoinRequest request, String gridId, String gridToken, Membership membership) {
        return answer(request, gridId, gridToken, membership, new RecentJoins(), System.currentTimeMillis());
    }

    /** As above, counting the newcomers this member answered recently; throws {@link SecurityException} on a wrong token. */
    static JoinResponse answer(JoinRequest request, String gridId, String gridToken, Membership membership,
                               RecentJoins recent, long now) {
        if (request.token() == null || !constantTimeEquals(request.token(), gridToken)) {
            throw new SecurityException("the join token is wrong; use the token the first node printed");
        }
        if (membership.contains(request.name())) {
            return new JoinResponse(gridId, peers(membership), membership.listenerIds().contains(request.name()), true);
        }
        boolean asListener;
        // One answer at a time: two newcomers answered at once would each miss the other, both listen,
        // and a lone voter's listeners are never promoted (the grid would keep one voter).
        synchronized (recent) {
            Set<String> pending = recent.pending(membership, now);
            pending.remove(request.name());
            asListener = joinsAsListener(membership, pending, request.name());
            recent.answered(request.name(), now);
        }
        return new JoinResponse(gridId, peers(membership), asListener, false);
    }

    /** {@link #joinsAsListener(Membership, Set, String)} with no other newcomer pending. */
    static boolean joinsAsListener(Membership membership, String newcomer) {
        return joinsAsListener(membership, Set.of(), newcomer);
    }

    /**
     * Whether a newcomer joins as a listener. It votes if {@link VoterPolicy#choose} puts it among
     * the voters of the grid with it (the current voters; every peer, the newcomers answered recently
     * and this one; all taken as live, since a member cannot tell more). So the second server listens
     * (two servers keep one voter), the third votes, and the leader's rebalance then promotes the
     * second. It also votes when the grid has a lone voter but the policy wants more: the rebalance
     * never promotes a lone voter's listeners ({@link VoterPolicy#electableWithoutNewVoters}), so
     * a lone voter gets company only by a server joining as a voter.
     */
    static boolean joinsAsListener(Membership membership, Set<String> pending, String newcomer) {
        Set<String> all = new TreeSet<>(membership.allIds());
        all.addAll(pending);
        all.add(newcomer);
        SortedSet<String> target = VoterPolicy.choose(membership.voterIds(), all, all);
        if (target.contains(newcomer)) {
            return false;
        }
        return !(membership.voterIds().size() <= 1 && target.size() > 1);
    }

    private static List<Membership.Peer> peers(Membership m) {
        return m.voters();
    }

    /** Asks a member to let this node in. */
    static JoinResponse request(String member, JoinRequest request) throws IOException, InterruptedException {
        return request(member, request, Duration.ofSeconds(5), Duration.ofSeconds(15));
    }

    private static JoinResponse request(String member, JoinRequest request, Duration connect, Duration timeout)
            throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(connect).build();
        HttpRequest post = HttpRequest.newBuilder(URI.create("http://" + member + "/internal/v1/join"))
                .timeout(timeout)
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

    /**
     * Asks the given members (HTTP addresses, in order) which role this restarting node has, and
     * returns the first answer from a member of {@code gridId}; empty when none answers (the whole
     * grid may be restarting: then the node's own log decides). Short timeouts: a dead member costs
     * at most a few seconds.
     */
    static Optional<JoinResponse> askRole(Collection<String> members, JoinRequest request, String gridId)
            throws InterruptedException {
        for (String member : members) {
            try {
                JoinResponse r = request(member, request, Duration.ofSeconds(2), Duration.ofSeconds(5));
                if (gridId.equals(r.gridId())) {
                    return Optional.of(r);
                }
                LOG.warn("{} answered for grid {}, not this node's grid {}; asking another member", member, r.gridId(), gridId);
            } catch (IOException | RuntimeException e) {
                LOG.info("asking {} for this node's role failed: {}", member, e.getMessage());
            }
        }
        return Optional.empty();
    }

    static boolean constantTimeEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
