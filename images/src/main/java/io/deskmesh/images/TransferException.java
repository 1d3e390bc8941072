package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;

import java.net.URI;

/**
 * A fetch of a base image version from a peer failed; {@link #reason()} says how, the message
 * names the peer and the version and what to do. Immutable.
 */
public final class TransferException extends ImageException {

    /** How a fetch failed; the reconciler decides from this whether to try another peer. */
    public enum Reason {
        /** No connection or no response within the timeouts, after every attempt. */
        PEER_UNREACHABLE,
        /** The peer answered 404: it does not hold the version. Not retried. */
        NOT_FOUND_ON_PEER,
        /** The peer answered 401 or 403: it refused our grid token. Not retried. */
        REFUSED_BY_PEER,
        /** The bytes did not match the registered size or SHA-256; the partial copy is deleted. */
        INTEGRITY,
        /**
         * The bytes arrived as registered, but this server's hypervisor cannot use the disk or did
         * not answer ({@link ImageCustomizationException} is the cause); the copy is not kept.
         */
        REFUSED_HERE,
        /** Cancelled through {@link Cancellation}; the partial copy is kept for a resume. */
        CANCELLED,
        /** The connection broke or the peer failed repeatedly, or the local store could not write. */
        IO
    }

    private final Reason reason;
    private final transient URI peer;
    private final transient ImageRef ref;

    public TransferException(Reason reason, URI peer, ImageRef ref, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.peer = peer;
        this.ref = ref;
    }

    public Reason reason() {
        return reason;
    }

    public URI peer() {
        return peer;
    }

    public ImageRef ref() {
        return ref;
    }
}
