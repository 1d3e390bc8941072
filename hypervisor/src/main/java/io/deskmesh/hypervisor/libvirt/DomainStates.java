package io.deskmesh.hypervisor.libvirt;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.PointerType;
import com.sun.jna.ptr.IntByReference;
import io.deskmesh.hypervisor.VmPowerState;
import java.lang.reflect.Field;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.LibvirtException;

/**
 * Reads a domain's state with libvirt's reason and maps it to a {@link VmPowerState}; thread-safe.
 *
 * <p>The Java binding only exposes {@code virDomainGetInfo}, whose state cannot tell a domain
 * that was shut down from one whose QEMU died, or a domain that is still starting. So this class
 * calls {@code virDomainGetState} itself through JNA, on the binding's own domain handle. If that
 * is not possible (a binding without the handle field) it falls back to the plain state.
 */
final class DomainStates {
    private static final int PAUSED_STARTING_UP = 11;
    private static final int PAUSED_CRASHED = 10;
    private static final int SHUTOFF_CRASHED = 3;
    private static final int SHUTOFF_DAEMON = 8;

    private interface StateApi extends Library {
        int virDomainGetState(Pointer domain, IntByReference state, IntByReference reason, int flags);
    }

    private static final StateApi API;
    private static final Field HANDLE;

    static {
        StateApi api = null;
        Field handle = null;
        try {
            handle = Domain.class.getDeclaredField("vdp");
            handle.setAccessible(true);
            api = Native.load("virt", StateApi.class);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            api = null;
            handle = null;
        }
        API = api;
        HANDLE = handle;
    }

    private DomainStates() {
    }

    /** The domain's power state as DeskMesh sees it. Call with the connection's lock held. */
    static VmPowerState of(Domain domain) throws LibvirtException {
        if (API != null) {
            try {
                Pointer pointer = ((PointerType) HANDLE.get(domain)).getPointer();
                IntByReference state = new IntByReference();
                IntByReference reason = new IntByReference();
                if (API.virDomainGetState(pointer, state, reason, 0) == 0) {
                    return map(state.getValue(), reason.getValue());
                }
            } catch (IllegalAccessException | RuntimeException e) {
                // fall through to the binding's own call, which reports libvirt's error properly
            }
        }
        DomainState plain = domain.getInfo().state;
        return map(plain.ordinal(), -1);
    }

    /**
     * Maps libvirt's {@code virDomainState} and reason. Powered on: running, blocked, being shut
     * down, PM-suspended and paused (the guest still holds its memory). STARTING: no state yet, or
     * paused while QEMU starts up. CRASHED: libvirt's crashed state, paused after a guest crash, or
     * shut off because QEMU died or libvirtd lost it.
     */
    static VmPowerState map(int state, int reason) {
        return switch (state) {
            case 0 -> VmPowerState.STARTING;
            case 1, 2, 4, 7 -> VmPowerState.RUNNING;
            case 3 -> reason == PAUSED_STARTING_UP ? VmPowerState.STARTING
                    : reason == PAUSED_CRASHED ? VmPowerState.CRASHED : VmPowerState.RUNNING;
            case 5 -> reason == SHUTOFF_CRASHED || reason == SHUTOFF_DAEMON ? VmPowerState.CRASHED
                    : VmPowerState.STOPPED;
            case 6 -> VmPowerState.CRASHED;
            default -> VmPowerState.CRASHED;
        };
    }
}
