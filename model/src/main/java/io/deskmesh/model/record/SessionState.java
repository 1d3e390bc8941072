package io.deskmesh.model.record;

/** Lifecycle of a session, from reservation to its end. Ended sessions leave the image. */
public enum SessionState {
    /** A VM is reserved for the user; the console has not connected yet. */
    RESERVED,
    /** The user's console is attached. */
    CONNECTED,
    /** The console went away; the VM stays the user's until the disconnect timeout. */
    DISCONNECTED
}
