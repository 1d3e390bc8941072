package io.deskmesh.hypervisor;

/** Remote display protocol a VM's console speaks. */
public enum ConsoleProtocol {
    VNC,
    SPICE
}
