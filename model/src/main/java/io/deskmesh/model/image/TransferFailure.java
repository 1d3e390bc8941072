package io.deskmesh.model.image;

/**
 * The last failed transfer of an image version to a server, so planners can back off. Immutable.
 *
 * @param reason what went wrong
 * @param at     log time of the failure
 */
public record TransferFailure(String reason, long at) {
}
