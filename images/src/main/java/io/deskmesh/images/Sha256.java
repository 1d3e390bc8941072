package io.deskmesh.images;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-256 helpers: new digests and lowercase hex. Stateless and thread-safe. */
final class Sha256 {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private Sha256() {
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA-256, which every JDK must have", e);
        }
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The lowercase hex SHA-256 of a whole file, read without following links. */
    static String ofFile(java.nio.file.Path file) throws java.io.IOException {
        MessageDigest d = newDigest();
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file, FileOps.NOFOLLOW)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) != -1) {
                d.update(buf, 0, n);
            }
        }
        return hex(d);
    }

    /** Returns the checksum in lowercase if it is 64 hex digits; otherwise throws saying so. */
    static String requireHex(String sha256) {
        String lower = sha256 == null ? null : sha256.toLowerCase(java.util.Locale.ROOT);
        if (lower == null || !HEX.matcher(lower).matches()) {
            throw new IllegalArgumentException("invalid sha256 " + ImageNames.quote(sha256)
                    + ": expected 64 hexadecimal digits");
        }
        return lower;
    }
}
