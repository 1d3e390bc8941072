package io.deskmesh.model.record;

/** Lifecycle of one VM as replicated. Transitions are driven by records only. */
public enum VmState {
    /** Allocated to a server by the pool planner; the host has not created it yet (in flight). */
    ALLOCATED,
    /** Defined on its host with its disk; powered off. */
    STOPPED,
    /** Powered on. */
    RUNNING,
    /** Used by a non-persistent session that ended; must be regenerated before reuse. */
    DIRTY,
    /** Its agent or host reported it broken; kept out of brokering until replaced. */
    UNHEALTHY,
    /** Chosen for removal; never brokered again; its host deletes it. */
    RETIRING
}
