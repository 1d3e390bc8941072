package io.deskmesh.hypervisor.libvirt;

import io.deskmesh.hypervisor.HostUnavailableException;
import io.deskmesh.hypervisor.VmNotFoundException;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.jna.Libvirt;

/**
 * The driver's one libvirt connection, opened on first use and reopened after libvirtd went
 * away; thread-safe.
 *
 * <p>The Java binding's {@link Connect} must not be used by two threads at once, so every
 * {@link #call} holds one lock for its whole body: a call is one short, consistent conversation
 * with libvirt. Waits for the lock are bounded, so a hung libvirtd turns into
 * {@link HostUnavailableException}s instead of piling up threads for ever.
 */
final class LibvirtConnection implements AutoCloseable {
    /** One step against an open connection; may throw libvirt's checked exception. */
    @FunctionalInterface
    interface Call<T> {
        T apply(Connect connect) throws LibvirtException;
    }

    private static volatile boolean silenced;

    private final URI uri;
    private final String host;
    private final Duration lockTimeout;
    private final ReentrantLock lock = new ReentrantLock();
    private Connect connect;
    private boolean closed;

    LibvirtConnection(URI uri, String host, Duration lockTimeout) {
        this.uri = uri;
        this.host = host;
        this.lockTimeout = lockTimeout;
    }

    /**
     * Runs {@code call} on the open connection under the lock. A connection-level failure
     * (libvirtd gone, RPC error) drops the connection, so the next call reopens it, and becomes
     * a {@link HostUnavailableException}; every other {@link LibvirtException} reaches the caller.
     */
    <T> T call(String what, Call<T> call) throws LibvirtException {
        acquire(what);
        try {
            if (closed) {
                throw new HostUnavailableException(host, "the libvirt driver for " + uri + " is closed; cannot "
                        + what + "; create a new driver");
            }
            Connect open = open(what);
            try {
                return call.apply(open);
            } catch (LibvirtException e) {
                if (LibvirtErrors.isConnectionFault(e)) {
                    drop();
                    throw new HostUnavailableException(host, "lost the libvirt connection to " + uri + " while trying to "
                            + what + ": " + LibvirtErrors.message(e) + "; check that libvirtd is running", e);
                }
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link #call} for callers that want only the driver's typed errors: libvirt's "no such
     * domain" becomes {@link VmNotFoundException} for {@code vmId} (when given), and any other
     * libvirt failure a {@link HostUnavailableException} with libvirt's message and the cause.
     */
    <T> T request(String vmId, String what, Call<T> call) {
        try {
            return call(what, call);
        } catch (LibvirtException e) {
            if (vmId != null && LibvirtErrors.isNoDomain(e)) {
                throw new VmNotFoundException(host, vmId);
            }
            throw new HostUnavailableException(host, "libvirt at " + uri + " failed to " + what + ": "
                    + LibvirtErrors.message(e) + "; check libvirtd's log", e);
        }
    }

    /** The host name used in messages. */
    String host() {
        return host;
    }

    /** Whether {@link #close} was called. */
    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            drop();
        } finally {
            lock.unlock();
        }
    }

    private void acquire(String what) {
        try {
            if (!lock.tryLock(lockTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new HostUnavailableException(host, "libvirt at " + uri + " has been busy with another call for "
                        + lockTimeout.toSeconds() + " s; cannot " + what + "; check that libvirtd answers"
                        + " (virsh -c " + uri + " list)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostUnavailableException(host, "interrupted while waiting to " + what + " on " + uri, e);
        }
    }

    private Connect open(String what) {
        if (connect != null) {
            return connect;
        }
        try {
            silenceLibvirtStderr();
            connect = new Connect(uri.toString(), false);
            return connect;
        } catch (LibvirtException e) {
            throw new HostUnavailableException(host, "cannot connect to libvirt at " + uri + " to " + what + ": "
                    + LibvirtErrors.message(e) + "; start libvirtd (and virtlogd) or fix the URI", e);
        } catch (LinkageError e) {
            throw new HostUnavailableException(host, "cannot load libvirt's client library to reach " + uri + " ("
                    + e + "); install it (Debian: apt-get install libvirt0) and run the JVM with"
                    + " --enable-native-access=ALL-UNNAMED", e);
        }
    }

    /**
     * libvirt prints every error to stderr unless a handler is set; the driver reports errors as
     * exceptions instead. Done on first open, not when the class loads, so that a machine without
     * libvirt's library gets a {@link HostUnavailableException} rather than a broken constructor.
     */
    private static void silenceLibvirtStderr() throws LibvirtException {
        if (!silenced) {
            synchronized (LibvirtConnection.class) {
                if (!silenced) {
                    Connect.setErrorCallback(SilentErrors.CALLBACK);
                    silenced = true;
                }
            }
        }
    }

    /** Holds the callback in a static field, as JNA needs it reachable for as long as libvirt may call it. */
    private static final class SilentErrors {
        static final Libvirt.VirErrorCallback CALLBACK = (userData, error) -> { };
    }

    private void drop() {
        Connect old = connect;
        connect = null;
        if (old != null) {
            try {
                old.close();
            } catch (LibvirtException | RuntimeException e) {
                // a dead connection may refuse to close cleanly; its native handle is released anyway
            }
        }
    }
}
