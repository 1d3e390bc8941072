package io.deskmesh.hypervisor.libvirt;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Creates a VM's copy-on-write overlay disk on a base image; implementations are thread-safe.
 *
 * <p>The libvirt driver calls this for define and regenerate. It is a plug-in point because
 * libvirt's test hypervisor has no real images to layer on: its tests supply a maker that
 * writes a placeholder file. Copies for clone are plain file copies and need no plug-in.
 */
@FunctionalInterface
public interface OverlayMaker {

    /**
     * Writes a fresh, empty overlay at {@code overlay} whose backing file is {@code base}. The
     * caller has removed any previous file at {@code overlay} and created its directory.
     *
     * @throws OverlayException when the overlay could not be made; its message says why and what to do
     */
    void create(Path base, Path overlay) throws OverlayException;

    /** An overlay could not be created; the message names the files and the remedy. */
    final class OverlayException extends IOException {
        public OverlayException(String message) {
            super(message);
        }

        public OverlayException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
