/**
 * The grid's replicated log on Apache Ratis: {@link io.deskmesh.raft.MeshStateMachine} replays
 * committed commands into the node's cluster image, {@link io.deskmesh.raft.MeshRaftServer} runs
 * one node's Raft server and its membership, and {@link io.deskmesh.raft.CommandSubmitter} is the
 * write path with group commit and read-your-writes. See the module README for the flow.
 */
package io.deskmesh.raft;
