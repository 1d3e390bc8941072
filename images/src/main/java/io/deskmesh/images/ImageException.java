package io.deskmesh.images;

/**
 * Root of the errors of this package besides bad names ({@link IllegalArgumentException}) and
 * local I/O failures ({@link java.io.UncheckedIOException}). Unchecked and immutable.
 *
 * <p>Sealed so the reconciler can switch over every kind without a {@code default}.
 */
public abstract sealed class ImageException extends RuntimeException
        permits ImageNotFoundException, ImageAlreadyExistsException, ImageIntegrityException, ImageFormatException,
        TransferException, ImageCustomizationException {

    protected ImageException(String message) {
        super(message);
    }

    protected ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
