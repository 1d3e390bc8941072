package io.deskmesh.model.command;

/** Why a command was refused; each maps to one HTTP status at the API. */
public enum ErrorCode {
    /** The command's values are malformed or out of range (400). */
    INVALID,
    /** It names something that does not exist (404). */
    NOT_FOUND,
    /** It would duplicate something or contradicts the current state (409). */
    CONFLICT,
    /** The user may not use that template (403). */
    NOT_ENTITLED,
    /** Not enough capacity on the target server (409). */
    CAPACITY,
    /** No free desktop could be reserved now (503). */
    NO_DESKTOP,
    /** The server it targets is missing, draining or suspect (409). */
    SERVER_UNAVAILABLE
}
