package io.deskmesh.hypervisor.libvirt;

import java.util.EnumSet;
import java.util.Set;
import org.libvirt.Error;
import org.libvirt.Error.ErrorDomain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/** Classifies libvirt's errors for the driver's typed exceptions; stateless. */
final class LibvirtErrors {
    private static final Set<ErrorNumber> CONNECTION_CODES = EnumSet.of(ErrorNumber.VIR_ERR_NO_CONNECT,
            ErrorNumber.VIR_ERR_INVALID_CONN, ErrorNumber.VIR_ERR_RPC, ErrorNumber.VIR_ERR_AUTH_FAILED,
            ErrorNumber.VIR_ERR_AUTH_CANCELLED);
    private static final Set<ErrorDomain> CONNECTION_DOMAINS = EnumSet.of(ErrorDomain.VIR_FROM_RPC,
            ErrorDomain.VIR_FROM_REMOTE);

    private LibvirtErrors() {
    }

    /** Whether the failure is about reaching libvirtd rather than about the request. */
    static boolean isConnectionFault(LibvirtException e) {
        Error error = e.getError();
        if (error == null) {
            return false;
        }
        return CONNECTION_CODES.contains(error.getCode()) || CONNECTION_DOMAINS.contains(error.getDomain());
    }

    /** Whether libvirt says the domain does not exist (it vanished between two calls). */
    static boolean isNoDomain(LibvirtException e) {
        return has(e, ErrorNumber.VIR_ERR_NO_DOMAIN);
    }

    /** Whether libvirt refused because the domain is in the wrong state (e.g. destroy of a stopped domain). */
    static boolean isInvalidState(LibvirtException e) {
        return has(e, ErrorNumber.VIR_ERR_OPERATION_INVALID);
    }

    static boolean has(LibvirtException e, ErrorNumber code) {
        Error error = e.getError();
        return error != null && error.getCode() == code;
    }

    /** libvirt's own one-line message, without the binding's decoration. */
    static String message(LibvirtException e) {
        Error error = e.getError();
        String text = error != null && error.getMessage() != null ? error.getMessage() : e.getMessage();
        return text == null ? e.getClass().getSimpleName() : text.strip();
    }
}
