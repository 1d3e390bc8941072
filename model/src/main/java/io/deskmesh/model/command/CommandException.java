package io.deskmesh.model.command;

/** A command refused during generation; carries the code and a message saying what to do. */
public final class CommandException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    public CommandException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
