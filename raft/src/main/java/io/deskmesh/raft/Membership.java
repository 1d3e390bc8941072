package io.deskmesh.raft;

import org.apache.ratis.proto.RaftProtos.RaftConfigurationProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftConfiguration;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;

import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Who takes part in the grid's Raft group: the voters (at most five, an odd number once settled)
 * and the non-voting listeners that follow the log. Both lists are sorted by id. Immutable.
 */
public record Membership(List<Peer> voters, List<Peer> listeners) {

    /** One server's Raft identity: its node id and the {@code host:port} of its Raft server. */
    public record Peer(String id, String address) {
        RaftPeer toRaftPeer() {
            return RaftPeer.newBuilder().setId(id).setAddress(address).build();
        }

        static Peer of(RaftPeer p) {
            return new Peer(p.getId().toString(), p.getAddress());
        }
    }

    public Membership {
        voters = sorted(voters);
        listeners = sorted(listeners);
        Set<String> both = voters.stream().map(Peer::id).collect(Collectors.toSet());
        for (Peer l : listeners) {
            if (both.contains(l.id())) {
                throw new IllegalArgumentException("peer '" + l.id() + "' cannot be both a voter and a listener");
            }
        }
    }

    public static final Membership EMPTY = new Membership(List.of(), List.of());

    public Set<String> voterIds() {
        return ids(voters);
    }

    public Set<String> listenerIds() {
        return ids(listeners);
    }

    /** Every peer's id, voters first. */
    public Set<String> allIds() {
        Set<String> all = new LinkedHashSet<>(voterIds());
        all.addAll(listenerIds());
        return all;
    }

    public Optional<Peer> peer(String id) {
        return Stream.concat(voters.stream(), listeners.stream()).filter(p -> p.id().equals(id)).findFirst();
    }

    public boolean contains(String id) {
        return peer(id).isPresent();
    }

    /** This membership with {@code peer} as a voter or listener (moving it if it was the other). */
    public Membership with(Peer peer, boolean asListener) {
        Membership without = without(peer.id());
        return asListener ? new Membership(without.voters, append(without.listeners, peer))
                : new Membership(append(without.voters, peer), without.listeners);
    }

    public Membership without(String id) {
        return new Membership(voters.stream().filter(p -> !p.id().equals(id)).toList(),
                listeners.stream().filter(p -> !p.id().equals(id)).toList());
    }

    /** This membership with exactly {@code voterIds} voting and every other peer listening. */
    public Membership withVoters(Set<String> voterIds) {
        List<Peer> all = Stream.concat(voters.stream(), listeners.stream()).toList();
        return new Membership(all.stream().filter(p -> voterIds.contains(p.id())).toList(),
                all.stream().filter(p -> !voterIds.contains(p.id())).toList());
    }

    List<RaftPeer> raftVoters() {
        return voters.stream().map(Peer::toRaftPeer).toList();
    }

    List<RaftPeer> raftListeners() {
        return listeners.stream().map(Peer::toRaftPeer).toList();
    }

    /** The current (newest) configuration; during a change that is the one being moved to. */
    static Membership of(RaftConfiguration conf) {
        return new Membership(peers(conf.getCurrentPeers(RaftPeerRole.FOLLOWER)),
                peers(conf.getCurrentPeers(RaftPeerRole.LISTENER)));
    }

    /** Whether no reconfiguration is under way (no old configuration next to the new one). */
    static boolean isStable(RaftConfiguration conf) {
        return conf.getPreviousPeers(RaftPeerRole.FOLLOWER).isEmpty()
                && conf.getPreviousPeers(RaftPeerRole.LISTENER).isEmpty();
    }

    static Membership of(RaftConfigurationProto conf) {
        return new Membership(protoPeers(conf.getPeersList()), protoPeers(conf.getListenersList()));
    }

    private static List<Peer> peers(Collection<RaftPeer> peers) {
        return peers.stream().map(Peer::of).toList();
    }

    private static List<Peer> protoPeers(List<RaftPeerProto> peers) {
        return peers.stream().map(p -> new Peer(p.getId().toStringUtf8(), p.getAddress())).toList();
    }

    private static List<Peer> sorted(List<Peer> peers) {
        return peers.stream().sorted(Comparator.comparing(Peer::id)).distinct().toList();
    }

    private static List<Peer> append(List<Peer> peers, Peer peer) {
        return Stream.concat(peers.stream(), Stream.of(peer)).toList();
    }

    private static Set<String> ids(List<Peer> peers) {
        return peers.stream().map(Peer::id).collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
