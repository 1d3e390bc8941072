package io.deskmesh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.deskmesh.model.record.VmState;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks the CLI makes before sending anything, so a typo costs no round trip and is reported as
 * invalid input (exit 2) naming the bad value. The rules mirror the model's command validation
 * ({@code io.deskmesh.model.command.Check} and the control classes); the API checks again and stays
 * the authority. Stateless.
 */
final class Inputs {
    /** Template, group, server and base image names. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    static final int MAX_DESIRED = 1_000_000;
    static final long MAX_TIMEOUT = 366L * 24 * 3600;

    private Inputs() {
    }

    /** A template, group, server or base image name. */
    public static final class Name implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!NAME.matcher(value).matches()) {
                throw new TypeConversionException("'" + value + "' is not a valid name: use 1-63 lowercase letters,"
                        + " digits, '.', '_' or '-', starting with a letter or digit");
            }
            return value;
        }
    }

    /** A user name. */
    public static final class UserName implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!USER.matcher(value).matches()) {
                throw new TypeConversionException("'" + value + "' is not a valid user name: use 1-64 letters, digits,"
                        + " '.', '_', '@' or '-', starting with a letter or digit");
            }
            return value;
        }
    }

    /** A session, grant or other id: anything printable without spaces. */
    public static final class Id implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (value.isEmpty() || value.length() > 128 || !value.chars().allMatch(c -> c > ' ' && c < 127)) {
                throw new TypeConversionException("'" + value + "' is not a valid id: expected up to 128 printable"
                        + " characters without spaces, as the list commands print them");
            }
            return value;
        }
    }

    /** {@code persistent} or {@code non-persistent}. */
    public static final class Pool implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            return oneOf(value, List.of("persistent", "non-persistent"));
        }
    }

    /** {@code admin} or {@code user}. */
    public static final class Role implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            return oneOf(value, List.of("admin", "user"));
        }
    }

    /** A VM state as the API names it: the model's states in lower case. */
    public static final class State implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            return oneOf(value, Arrays.stream(VmState.values()).map(s -> s.name().toLowerCase(Locale.ROOT)).toList());
        }
    }

    /** {@code table} or {@code json}. */
    public static final class Format implements ITypeConverter<OutputOptions.Format> {
        @Override
        public OutputOptions.Format convert(String value) {
            return OutputOptions.Format.valueOf(oneOf(value, List.of("table", "json")).toUpperCase(Locale.ROOT));
        }
    }

    /** A template's desired VMs: a whole number, or {@code auto}; as the JSON the API takes. */
    public static final class Desired implements ITypeConverter<JsonNode> {
        @Override
        public JsonNode convert(String value) {
            if (value.equalsIgnoreCase("auto")) {
                return TextNode.valueOf("auto");
            }
            try {
                int n = Integer.parseInt(value);
                if (n >= 0 && n <= MAX_DESIRED) {
                    return IntNode.valueOf(n);
                }
            } catch (NumberFormatException e) {
                // reported below with the accepted forms
            }
            throw new TypeConversionException("'" + value + "' is neither 'auto' nor a whole number from 0 to " + MAX_DESIRED);
        }
    }

    private static String oneOf(String value, List<String> allowed) {
        String v = value.toLowerCase(Locale.ROOT);
        if (!allowed.contains(v)) {
            throw new TypeConversionException("'" + value + "' is not one of " + String.join(", ", allowed));
        }
        return v;
    }

    /** Refuses a number outside {@code [min, max]} (null means not given, and passes). */
    static void range(CommandSpec spec, String option, Number value, long min, long max) {
        if (value != null && (value.longValue() < min || value.longValue() > max)) {
            throw new ParameterException(spec.commandLine(),
                    option + " must be between " + min + " and " + max + ", was " + value);
        }
    }
}
