package io.deskmesh.hypervisor.sim.rfb;

/**
 * One rendered screen of a simulated desktop: what it showed during one second of the clock.
 * {@code pixels} are {@code 0xRRGGBB}, row by row, and never change once built. Immutable.
 */
record Frame(long epochSecond, RfbConsoleServer.Label label, int[] pixels) {
}
