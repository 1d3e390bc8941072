package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;

import java.io.Closeable;
import java.io.OutputStream;

/**
 * The partial file of one incoming base image transfer, under the store's {@code .staging}
 * directory. It survives restarts so a transfer can resume where it stopped. Not thread-safe:
 * one owner at a time, which {@link ImageStore#stage} enforces per ref.
 *
 * <p>Life cycle: {@link #append()} as often as needed (one stream open at a time), then
 * {@link #complete()} to verify and publish, or {@link #abort()} to discard; {@link #close()}
 * always, which keeps the partial file for a later resume unless it was completed or aborted.
 */
public interface StagedTransfer extends Closeable {

    ImageRef ref();

    long expectedSize();

    String expectedSha256();

    /** Bytes already in the partial file; a resumed transfer asks the peer for the rest. */
    long bytesPresent();

    /**
     * A stream appending at {@link #bytesPresent()}. Writing past {@link #expectedSize()} deletes
     * the partial file and throws {@link ImageIntegrityException}. Close it before calling
     * anything else on this transfer.
     */
    OutputStream append();

    /** Empties the partial file, e.g. when a peer ignored a range request and sends everything. */
    void reset();

    /**
     * Verifies size and SHA-256 and publishes the version atomically.
     *
     * @throws ImageIntegrityException if either differs; the partial file is deleted first
     */
    ImageManifest complete();

    /** Deletes the partial file; the transfer is then finished. */
    void abort();

    /** Releases the ref for other transfers; the partial file stays for a later resume. */
    @Override
    void close();
}
