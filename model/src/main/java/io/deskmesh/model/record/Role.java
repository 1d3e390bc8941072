package io.deskmesh.model.record;

/** What an account may do. */
public enum Role {
    ADMIN,
    USER
}
