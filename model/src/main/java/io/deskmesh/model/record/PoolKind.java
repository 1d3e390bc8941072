package io.deskmesh.model.record;

/** How a template's VMs are shared between users. */
public enum PoolKind {
    /** Each user owns one VM, kept across sessions. */
    PERSISTENT,
    /** Any free VM serves any entitled user; it is regenerated from the base image after log-off. */
    NON_PERSISTENT
}
