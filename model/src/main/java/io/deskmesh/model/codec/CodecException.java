package io.deskmesh.model.codec;

/** Bytes could not be decoded: unknown version or type id, or malformed content. */
public final class CodecException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CodecException(String message) {
        super(message);
    }

    public CodecException(String message, Throwable cause) {
        super(message, cause);
    }
}
