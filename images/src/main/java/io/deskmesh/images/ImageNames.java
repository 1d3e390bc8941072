package io.deskmesh.images;

import io.deskmesh.model.image.ImageRef;

import java.util.regex.Pattern;

/**
 * Validates base image names and versions before they become paths or URLs. Stateless and
 * thread-safe.
 *
 * <p>A name is 1 to 63 characters of {@code a-z 0-9 . _ -} starting with a letter or digit, so it
 * can never be {@code .}, {@code ..}, hidden, absolute, contain a separator or a percent-encoded
 * sequence. Versions start at 1. Every error says what was wrong with the value.
 */
public final class ImageNames {
    private static final Pattern IMAGE = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final String RULE =
            "names are 1-63 characters of a-z, 0-9, '.', '_', '-' and start with a letter or digit";

    private ImageNames() {
    }

    /** Returns {@code image} if it is a valid name; otherwise throws saying why it is not. */
    public static String requireImage(String image) {
        if (image == null) {
            throw new IllegalArgumentException("base image name is missing; " + RULE);
        }
        if (!IMAGE.matcher(image).matches()) {
            throw new IllegalArgumentException(
                    "invalid base image name " + quote(image) + ": " + problem(image) + "; " + RULE);
        }
        return image;
    }

    /** Returns {@code version} if it is at least 1. */
    public static int requireVersion(String image, int version) {
        if (version < 1) {
            throw new IllegalArgumentException(
                    "invalid version " + version + " of base image " + quote(image) + ": versions start at 1");
        }
        return version;
    }

    /** Validates both parts of a ref and returns it. */
    public static ImageRef requireValid(ImageRef ref) {
        requireImage(ref.image());
        requireVersion(ref.image(), ref.version());
        return ref;
    }

    /** Parses a ref from its two URL path segments, e.g. {@code ("win11", "3")}. */
    public static ImageRef parse(String image, String version) {
        requireImage(image);
        if (version == null || !version.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException("invalid version " + quote(version) + " of base image '" + image
                    + "': a version is a decimal number from 1");
        }
        return requireValid(new ImageRef(image, Integer.parseInt(version)));
    }

    private static String problem(String s) {
        if (s.isEmpty()) {
            return "it is empty";
        }
        if (s.length() > 63) {
            return "it is " + s.length() + " characters long";
        }
        if (s.indexOf('/') >= 0 || s.indexOf('\\') >= 0) {
            return "it contains a path separator";
        }
        if (s.contains("..") || s.startsWith(".")) {
            return "it starts with '.' or contains '..'";
        }
        if (s.indexOf('%') >= 0) {
            return "it contains '%' (names are never URL-decoded here)";
        }
        if (!s.equals(s.toLowerCase(java.util.Locale.ROOT))) {
            return "it contains uppercase letters";
        }
        return "it contains a character outside a-z, 0-9, '.', '_', '-' or starts with one of '.', '_', '-'";
    }

    /** Quotes a user-supplied value for a message, escaping anything unprintable. */
    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder("'");
        s.codePoints().limit(80).forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c > 0x7f && !Character.isLetterOrDigit(c))) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.append(s.length() > 80 ? "…'" : "'").toString();
    }
}
