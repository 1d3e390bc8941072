package io.deskmesh.model.command;

import java.util.regex.Pattern;

/** Validation helpers that throw {@link CommandException} with messages that name the bad value. Stateless. */
final class Check {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private Check() {
    }

    static String name(String kind, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw invalid(kind + " name " + quote(value) + " is invalid: use 1-63 lowercase letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit");
        }
        return value;
    }

    static String userName(String value) {
        if (value == null || !USER.matcher(value).matches()) {
            throw invalid("user name " + quote(value) + " is invalid: use 1-64 letters, digits, '.', '_', '@' or '-',"
                    + " starting with a letter or digit");
        }
        return value;
    }

    static String sha256(String value) {
        if (value == null || !SHA256.matcher(value).matches()) {
            throw invalid("sha256 " + quote(value) + " is invalid: give 64 lowercase hex digits");
        }
        return value;
    }

    static void range(String what, long value, long min, long max) {
        if (value < min || value > max) {
            throw invalid(what + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    static void notBlank(String what, String value) {
        if (value == null || value.isBlank()) {
            throw invalid(what + " must not be empty");
        }
    }

    static CommandException invalid(String message) {
        return new CommandException(ErrorCode.INVALID, message);
    }

    static CommandException notFound(String message) {
        return new CommandException(ErrorCode.NOT_FOUND, message);
    }

    static CommandException conflict(String message) {
        return new CommandException(ErrorCode.CONFLICT, message);
    }

    static String quote(String value) {
        return value == null ? "(none)" : "'" + value + "'";
    }
}
