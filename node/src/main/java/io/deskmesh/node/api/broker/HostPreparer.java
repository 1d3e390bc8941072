package io.deskmesh.node.api.broker;

import io.deskmesh.hypervisor.DriverException;
import io.deskmesh.hypervisor.HostUnavailableException;
import io.deskmesh.hypervisor.HypervisorDriver;
import io.deskmesh.hypervisor.VmNotFoundException;
import io.deskmesh.hypervisor.VmStatus;
import io.deskmesh.model.command.MarkVmUnhealthyCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.ReportVmStartedCommand;
import io.deskmesh.model.command.Reply;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.record.VmState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The host's half of a connect: makes one of this server's VMs ready for a session — powers it on
 * through the hypervisor driver when it is off and records that it started. Refuses a VM the image
 * does not place on this server, or one that is not built and healthy. Driver calls run on virtual
 * threads, so a hung hypervisor blocks only its own call while the caller's deadline runs out.
 * Thread-safe.
 */
public final class HostPreparer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostPreparer.class);

    /** What preparing did. */
    public record Prepared(String vmId, String server, boolean started) {
    }

    private final String self;
    private final HypervisorDriver driver;
    private final Supplier<ClusterImage> image;
    private final Function<List<MeshCommand>, CompletableFuture<List<Reply>>> submit;
    private final Placement placement;
    private final ExecutorService calls = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("prepare-", 0).factory());

    /**
     * @param self   this server's name
     * @param image  this node's current image
     * @param submit this node's write path
     */
    public HostPreparer(String self, HypervisorDriver driver, Supplier<ClusterImage> image,
                        Function<List<MeshCommand>, CompletableFuture<List<Reply>>> submit) {
        this(self, driver, image, submit, vmId -> { });
    }

    /** Puts a VM's disk where its session needs it (a persistent desktop's owner's home) before it powers on. */
    @FunctionalInterface
    public interface Placement {
        void place(String vmId) throws Exception;
    }

    /** @param placement called before a VM is powered on for a session */
    public HostPreparer(String self, HypervisorDriver driver, Supplier<ClusterImage> image,
                        Function<List<MeshCommand>, CompletableFuture<List<Reply>>> submit, Placement placement) {
        this.placement = placement;
        this.self = self;
        this.driver = driver;
        this.image = image;
        this.submit = submit;
    }

    public String self() {
        return self;
    }

    /**
     * Prepares the VM off the caller's thread; fails with {@link PrepareException} when refused, when
     * the hypervisor fails, or when {@code deadlineMs} passes first.
     */
    public CompletableFuture<Prepared> prepare(String vmId, long deadlineMs) {
        CompletableFuture<Prepared> out = new CompletableFuture<>();
        try {
            calls.execute(() -> {
                try {
                    out.complete(prepareNow(vmId));
                } catch (Throwable e) {
                    out.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            out.completeExceptionally(new PrepareException(PrepareException.HOST_UNAVAILABLE, true,
                    "server '" + self + "' is shutting down"));
        }
        return out.orTimeout(deadlineMs, TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof java.util.concurrent.TimeoutException) {
                return CompletableFuture.failedFuture(new PrepareException(PrepareException.TIMEOUT, true,
                        "the hypervisor of server '" + self + "' did not get VM '" + vmId + "' ready within "
                                + deadlineMs + " ms"));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /** Blocking: checks the VM against the image, powers it on if needed, and has the start recorded. */
    Prepared prepareNow(String vmId) {
        VmImage vm = image.get().vms().get(vmId).orElse(null);
        if (vm == null) {
            throw new PrepareException(PrepareException.NOT_HOSTED, true, "server '" + self + "' does not know VM '"
                    + vmId + "'; the grid may have deleted it");
        }
        if (!vm.server().equals(self)) {
            throw new PrepareException(PrepareException.NOT_HOSTED, true, "VM '" + vmId + "' is hosted by server '"
                    + vm.server() + "', not by '" + self + "'; ask that server");
        }
        if (vm.state() != VmState.STOPPED && vm.state() != VmState.RUNNING) {
            throw new PrepareException(PrepareException.NOT_READY, false, "VM '" + vmId + "' is "
                    + vm.state().name().toLowerCase() + " and cannot take a session now");
        }
        boolean started = false;
        try {
            placement.place(vmId);
            VmStatus status = driver.status(vmId).orElseThrow(() -> new VmNotFoundException(self, vmId));
            if (!status.state().poweredOn()) {
                driver.start(vmId);
                started = true;
            }
        } catch (HostUnavailableException e) {
            throw new PrepareException(PrepareException.HOST_UNAVAILABLE, true, e.getMessage());
        } catch (Exception e) {
            // The VM, not the host, failed: report it so its session ends and the planners replace it.
            LOG.warn("VM {} on {} could not be started for a session: {}", vmId, self, e.getMessage());
            submit.apply(List.of(new MarkVmUnhealthyCommand(vmId, "start for a session failed: " + e.getMessage())));
            throw new PrepareException(PrepareException.VM_FAILED, false, "VM '" + vmId + "' on server '" + self
                    + "' would not start: " + e.getMessage());
        }
        if (vm.state() == VmState.STOPPED || started) {
            recordStart(vmId);
        }
        return new Prepared(vmId, self, started);
    }

    /**
     * Records the start without waiting for it: the VM is ready whether or not the record is in yet,
     * and the user should not wait a log round trip for it. A failure is only logged: the reconciler
     * starts and reports a VM that holds a session and shows stopped, and its host sync reports any
     * power change the image missed.
     */
    private void recordStart(String vmId) {
        try {
            submit.apply(List.of(new ReportVmStartedCommand(vmId))).whenComplete((r, e) -> {
                if (e != null) {
                    LOG.info("recording that VM {} started on {} failed: {}", vmId, self, e.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.info("recording that VM {} started on {} failed: {}", vmId, self, e.toString());
        }
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
