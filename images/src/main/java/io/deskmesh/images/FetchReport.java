package io.deskmesh.images;

/**
 * What one fetch did: the version that landed, how it moved and how many bytes crossed the network.
 * Immutable.
 *
 * @param manifest      the landed version
 * @param mode          how it moved
 * @param bytesReceived body bytes received from the peer (a difference, or the missing part of the disk)
 * @param fullBytes     the size of the whole version, for comparison
 */
public record FetchReport(ImageManifest manifest, Mode mode, long bytesReceived, long fullBytes) {

    /** How a version moved. */
    public enum Mode {
        /** It was already landed here: nothing moved. */
        PRESENT,
        /** As a {@link BlockDiff} against a version this node holds, rebuilt and verified here. */
        DIFFERENCE,
        /** The whole disk (or the part a resumed transfer lacked). */
        FULL
    }

    /** Bytes not sent thanks to a difference or a resume: {@code fullBytes - bytesReceived}, at least 0. */
    public long bytesSaved() {
        return Math.max(0, fullBytes - bytesReceived);
    }

    @Override
    public String toString() {
        return manifest.ref() + " " + mode.name().toLowerCase(java.util.Locale.ROOT) + ": " + bytesReceived + " of "
                + fullBytes + " bytes received";
    }
}
