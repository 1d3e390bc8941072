package io.deskmesh.model.command;

import java.util.List;

/** The answer to one command, computed identically on every node. Immutable. */
public sealed interface Reply {
    boolean ok();

    /** Done, nothing to return. */
    record Done() implements Reply {
        public boolean ok() {
            return true;
        }
    }

    /** Created something whose id the grid chose. */
    record Created(String id) implements Reply {
        public boolean ok() {
            return true;
        }
    }

    /** VMs allocated, by id. */
    record Allocated(List<String> vmIds) implements Reply {
        public boolean ok() {
            return true;
        }
    }

    /** A desktop reserved (or the user's existing session, when {@code reconnect}). */
    record Reserved(String sessionId, String vmId, String server, boolean reconnect) implements Reply {
        public boolean ok() {
            return true;
        }
    }

    /** Refused, with why and what to do. */
    record Failed(ErrorCode code, String message) implements Reply {
        public boolean ok() {
            return false;
        }
    }

    Done DONE = new Done();
}
