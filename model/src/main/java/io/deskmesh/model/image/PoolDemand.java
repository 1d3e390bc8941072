package io.deskmesh.model.image;

/**
 * What a template's pool has been asked for. Immutable.
 *
 * @param peakSessions the most sessions it held at once
 * @param unmetLogins  logins that found no free desktop
 * @param lastUnmetAt  log time of the last unmet login, 0 if none
 */
public record PoolDemand(int peakSessions, long unmetLogins, long lastUnmetAt) {
    public static final PoolDemand NONE = new PoolDemand(0, 0, 0);
}
