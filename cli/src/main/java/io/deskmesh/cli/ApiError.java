package io.deskmesh.cli;

/**
 * The node answered a request with an error status. The message printed is the API's own (it says
 * what was wrong and what to do), except for 401, where it tells the user to log in.
 */
public final class ApiError extends CliFailure {
    private static final long serialVersionUID = 1L;

    static final String NOT_LOGGED_IN = "not logged in or session expired: run deskmesh login";

    private final int status;
    private final String code;
    private final String apiMessage;

    /**
     * @param status     the HTTP status
     * @param code       the API's error code, e.g. {@code NOT_FOUND}; empty when the body had none
     * @param apiMessage the API's message, or a description of the unexpected answer
     */
    public ApiError(int status, String code, String apiMessage) {
        super(status == 401 ? NOT_LOGGED_IN : apiMessage);
        this.status = status;
        this.code = code;
        this.apiMessage = apiMessage;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** What the API said, also for 401 (where {@link #getMessage()} is the login hint instead). */
    public String apiMessage() {
        return apiMessage;
    }
}
