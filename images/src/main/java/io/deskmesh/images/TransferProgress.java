package io.deskmesh.images;

/**
 * Told how far a transfer has come. Called on the fetching thread after each buffer written,
 * so it must be quick and must not throw.
 */
@FunctionalInterface
public interface TransferProgress {
    TransferProgress NONE = (bytes, total) -> { };

    /**
     * @param bytes bytes of the version held locally so far, including any resumed prefix
     * @param total the version's full size
     */
    void onProgress(long bytes, long total);
}
