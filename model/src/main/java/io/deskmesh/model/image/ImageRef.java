package io.deskmesh.model.image;

import java.util.Comparator;
import java.util.Objects;

/**
 * One version of one base image, e.g. {@code win11@3}. Immutable; ordered by name, then version.
 *
 * @param image   base image name
 * @param version version number, from 1
 */
public record ImageRef(String image, int version) implements Comparable<ImageRef> {
    private static final Comparator<ImageRef> ORDER =
            Comparator.comparing(ImageRef::image).thenComparingInt(ImageRef::version);

    public ImageRef {
        Objects.requireNonNull(image, "image");
    }

    @Override
    public int compareTo(ImageRef o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return image + "@" + version;
    }
}
