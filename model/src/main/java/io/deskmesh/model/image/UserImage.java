package io.deskmesh.model.image;

import io.deskmesh.model.record.Role;

/**
 * One account. Immutable.
 *
 * @param name         unique user name
 * @param passwordHash the encoded password hash (never the password)
 * @param role         admin or user
 * @param site         the site the user usually logs in from, empty when unknown
 * @param createdAt    log time of creation
 */
public record UserImage(String name, String passwordHash, Role role, String site, long createdAt) {
}
