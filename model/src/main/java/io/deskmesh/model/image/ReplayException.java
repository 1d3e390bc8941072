package io.deskmesh.model.image;

/**
 * A record could not be replayed onto the image because it contradicts it (it names an entity that
 * does not exist, or repeats one that does). Records come only from commands validated against the
 * same image, so this means a corrupted log or a bug; the node must stop rather than diverge.
 */
public final class ReplayException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ReplayException(String message) {
        super(message);
    }
}
