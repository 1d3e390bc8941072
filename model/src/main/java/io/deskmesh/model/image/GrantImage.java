package io.deskmesh.model.image;

/**
 * Permission for a user or a group (exactly one is non-null) to use a template. Immutable.
 *
 * @param id        unique grant id
 * @param template  the template granted
 * @param user      the user granted, or null
 * @param group     the group granted, or null
 * @param createdAt log time of creation
 */
public record GrantImage(String id, String template, String user, String group, long createdAt) {
}
