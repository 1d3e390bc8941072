package io.deskmesh.node;

import io.deskmesh.raft.MeshRaftServer;
import io.deskmesh.raft.RaftConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * How a node that has a data directory starts its Raft server again: it first asks a grid member
 * (the HTTP addresses kept in {@code node.json}, then {@code --join} if given) which role the grid
 * has for it, because its own log may be out of date. A voter replaced while it was down still
 * reads "voter" in its log, and Ratis would start it as a FOLLOWER whose first election a voter
 * answers with SHUTDOWN, closing its group. With the member's answer it restarts in that role
 * ({@link MeshRaftServer#restart(boolean, java.util.Collection)}); when no member answers (the
 * whole grid restarts) its log decides, as before. Stateless.
 */
final class NodeRestart {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRestart.class);

    private NodeRestart() {
    }

    static MeshRaftServer start(NodeConfig config, NodeIdentity known) throws Exception {
        MeshRaftServer raft = new MeshRaftServer(RaftConfig.of(config.name(), config.dataDir(), config.raft(),
                known.gridId()));
        try {
            List<String> ask = contacts(known, config);
            Optional<JoinProtocol.JoinResponse> role = JoinProtocol.askRole(ask,
                    new JoinProtocol.JoinRequest(config.name(), config.raft(), known.token()), known.gridId());
            if (role.isEmpty()) {
                LOG.info("{}: no grid member answered (asked {}); restarting from the stored log", config.name(), ask);
                return raft.restart();
            }
            JoinProtocol.JoinResponse r = role.get();
            if (!r.member() || r.peers().isEmpty()) {
                LOG.warn("{}: a member answered that this server is not in the grid's Raft group (was it removed?);"
                        + " restarting from the stored log", config.name());
                return raft.restart();
            }
            LOG.info("{}: the grid has this server as a {}; restarting in that role", config.name(),
                    r.asListener() ? "listener" : "voter");
            return raft.restart(r.asListener(), r.peers());
        } catch (Exception | Error e) {
            raft.close();
            throw e;
        }
    }

    /** Whom to ask: the members kept in node.json, then --join; never this node itself. */
    static List<String> contacts(NodeIdentity known, NodeConfig config) {
        Set<String> out = new LinkedHashSet<>(known.members());
        if (config.join() != null) {
            out.add(config.join());
        }
        out.remove(config.http());
        return new ArrayList<>(out);
    }
}
