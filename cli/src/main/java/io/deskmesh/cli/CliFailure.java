package io.deskmesh.cli;

/**
 * A command failed for a reason the user can act on (the node said no, the node cannot be reached,
 * the saved login is damaged): its message is printed on stderr as it is, without a stack trace, and
 * the command exits with 1. Invalid input is not a {@code CliFailure} but a picocli
 * {@code ParameterException} (exit 2).
 */
public class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CliFailure(String message) {
        super(message, null, false, false);
    }
}
