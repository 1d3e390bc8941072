package io.deskmesh.node.reconcile;

import io.deskmesh.hypervisor.HypervisorDriver;
import io.deskmesh.hypervisor.VmPowerState;
import io.deskmesh.hypervisor.VmStatus;
import io.deskmesh.model.command.MarkVmUnhealthyCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.RejoinServerCommand;
import io.deskmesh.model.command.ReportVmStartedCommand;
import io.deskmesh.model.command.ReportVmStoppedCommand;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.ImageRef;
import io.deskmesh.model.image.ReplicaImage;
import io.deskmesh.model.image.ServerImage;
import io.deskmesh.model.image.VmImage;
import io.deskmesh.model.plan.GridPlanner;
import io.deskmesh.model.plan.Plan;
import io.deskmesh.model.plan.PlanAction;
import io.deskmesh.model.record.VmState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Makes this node do its share of every plan. On each new image it runs the planners (on its own
 * thread, at most every {@link #MIN_PLAN_GAP_MS}, always on the newest image) and starts the actions
 * that name this node on a bounded pool. It never runs two actions
 * on one VM or image at once, backs off after a failure, and never repeats an action from an image
 * older than the one in which the same action last completed (a stale image still shows the work as
 * undone). Besides each new image, it re-plans the latest image every {@link #TICK_MS}, so retries
 * after a back-off happen on a quiet grid too. It also keeps the node itself in order: it asks to rejoin when the grid has it missing or
 * suspect, resumes transfers to itself that a restart interrupted, and compares the host's VMs with
 * the image every {@link #SYNC_INTERVAL_MS}. Thread-safe.
 */
public final class Reconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    static final long BACKOFF_MS = 2_000;
    static final long SYNC_INTERVAL_MS = 10_000;
    /** How often the reconciler re-plans the latest image without being told of a change. */
    static final long TICK_MS = 2_000;
    /**
     * The shortest gap between two planning passes. A login storm commits hundreds of log entries a
     * second; planning each on every node would cost more than the brokering itself, and a plan
     * 50 ms later than its image loses nothing (building a VM takes far longer).
     */
    static final long MIN_PLAN_GAP_MS = 50;

    private final String self;
    private final String address;
    private final HypervisorDriver driver;
    private final ActionRunner runner;
    private final CommandGateway gateway;
    private final LongSupplier clock;
    private final LongSupplier appliedIndex;
    private final java.util.function.Supplier<ClusterImage> latest;
    private final ExecutorService workers;
    private final java.util.concurrent.ScheduledExecutorService ticker;
    private final Map<String, Long> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Long> notBefore = new ConcurrentHashMap<>();
    private final Map<String, Long> completedAt = new ConcurrentHashMap<>();
    private volatile long lastSync;
    private volatile boolean registered;
    private volatile boolean hostDown;
    private volatile boolean removedLogged;
    private volatile java.util.function.Supplier<MeshCommand> registration;
    private final AtomicLong actionsStarted = new AtomicLong();
    private final AtomicLong actionsFailed = new AtomicLong();
    private final AtomicReference<ClusterImage> requested = new AtomicReference<>();
    private final AtomicBoolean planQueued = new AtomicBoolean();
    private volatile long lastPlanNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(MIN_PLAN_GAP_MS);

    /**
     * @param self         this server's name
     * @param address      this server's HTTP address, sent when it rejoins
     * @param latest       this node's current image (read by the host sync, which must not act on a stale one)
     * @param threads      how many actions may run at once
     */
    public Reconciler(String self, String address, HypervisorDriver driver, ReplicaStore replicas, CommandGateway gateway,
                      LongSupplier clock, java.util.function.Supplier<ClusterImage> latest, int threads) {
        this(self, address, driver, replicas, gateway, clock, latest, threads, null);
    }

    /**
     * @param homes where persistent desktops' disks live once they have an owner, or null to keep
     *              every disk in the driver's storage area
     */
    public Reconciler(String self, String address, HypervisorDriver driver, ReplicaStore replicas, CommandGateway gateway,
                      LongSupplier clock, java.util.function.Supplier<ClusterImage> latest, int threads, UserHomes homes) {
        this.self = self;
        this.address = address;
        this.driver = driver;
        this.gateway = gateway;
        this.clock = clock;
        this.latest = latest;
        this.appliedIndex = () -> latest.get().index();
        this.runner = new ActionRunner(self, driver, replicas, gateway, homes);
        this.workers = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "reconciler-" + self);
            t.setDaemon(true);
            return t;
        });
        // Reconcile on a timer too, not only on change: after a back-off, or when an action's
        // outcome changed nothing, no new image may come to trigger the retry on a quiet grid.
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "reconciler-tick-" + self);
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Moves a persistent desktop into its owner's home if it is not there yet (its first
     * assignment); the host's preparer calls it before powering the desktop on for a session.
     */
    public void placeForOwner(String vmId) throws Exception {
        runner.placeForOwner(latest.get(), vmId);
    }

    private void tick() {
        try {
            onImage(latest.get());
        } catch (RuntimeException e) {
            LOG.warn("reconciler tick on {} failed: {}", self, e.toString());
        }
    }

    /**
     * Reacts to a new image: plans it (or a newer one, when more arrive meanwhile) on the reconciler's
     * own thread, at most once every {@link #MIN_PLAN_GAP_MS}, and starts this node's actions.
     * Returns at once.
     */
    public void onImage(ClusterImage image) {
        requested.accumulateAndGet(image, (old, img) -> old == null || img.index() >= old.index() ? img : old);
        if (planQueued.compareAndSet(false, true)) {
            long sinceLast = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastPlanNanos);
            try {
                ticker.schedule(this::planRequested, Math.max(0, MIN_PLAN_GAP_MS - sinceLast), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closed) {
                planQueued.set(false);
            }
        }
    }

    private void planRequested() {
        planQueued.set(false); // an image arriving from now on queues another pass
        ClusterImage image = requested.getAndSet(null);
        if (image == null) {
            return;
        }
        lastPlanNanos = System.nanoTime();
        try {
            reconcile(image);
        } catch (RuntimeException e) {
            LOG.warn("reconciling image {} on {} failed: {}", image.index(), self, e.toString(), e);
        }
    }

    private void reconcile(ClusterImage image) {
        ServerImage me = image.servers().get(self).orElse(null);
        if (me == null) {
            if (registered) {
                if (!removedLogged) {
                    removedLogged = true;
                    LOG.warn("server {} was removed from the grid; stop this node (it takes no more work)", self);
                }
            } else if (registration != null && image.grid().exists()) {
                // A node that crashed between joining the Raft group and recording itself: record it now.
                // Harmless when the record already exists later in the log: apply-time checks refuse it.
                launch("register", image, () -> runner.submit(registration.get()));
            }
            return;
        }
        registered = true;
        if (me.missing() || me.suspect() || !me.address().equals(address)) {
            launch("rejoin", image, () -> {
                driver.host(); // only a server whose hypervisor answers comes back
                hostDown = false;
                runner.submit(new RejoinServerCommand(self, address));
            });
        }
        for (ReplicaImage r : image.images().onServer(self).values()) {
            if (!r.landed()) {
                launch("fetch:" + r.ref(), image, () -> runner.fetch(image, r.ref(), r.source(), false));
            }
        }
        Plan plan = GridPlanner.plan(image);
        for (PlanAction action : plan.actionsFor(self)) {
            launch(key(action), image, () -> runner.run(image, action));
        }
        for (ImageRef old : ReplicaCollector.garbage(image, self)) {
            PlanAction drop = new PlanAction.DropReplica(self, old);
            launch(key(drop), image, () -> runner.run(image, drop));
        }
        long now = clock.getAsLong();
        if (now - lastSync >= SYNC_INTERVAL_MS) {
            lastSync = now;
            launch("sync", image, this::sync);
        }
    }

    /**
     * Lets the reconciler record this server when the grid does not know it yet (after a crash
     * between joining the Raft group and recording the server); never after it was removed.
     */
    public void registerWith(java.util.function.Supplier<MeshCommand> join) {
        this.registration = join;
    }

    /** Actions running now, by key (for health and tests). */
    public Map<String, Long> inFlight() {
        return Map.copyOf(inFlight);
    }

    /**
     * Whether this node's hypervisor stopped answering (a call failed with HostUnavailable and none
     * has succeeded since). The node then answers pings with 503, so the leader records it missing,
     * and it does not ask to rejoin until the hypervisor answers again.
     */
    public boolean hostDown() {
        return hostDown;
    }

    public long actionsStarted() {
        return actionsStarted.get();
    }

    public long actionsFailed() {
        return actionsFailed.get();
    }

    private interface Work {
        void run() throws Exception;
    }

    private void launch(String key, ClusterImage image, Work work) {
        long now = clock.getAsLong();
        Long done = completedAt.get(key);
        if (done != null) {
            // An image at the completion index already holds the outcome (the submit returned after
            // this node applied it); only an older one is stale.
            if (image.index() < done) {
                return;
            }
            completedAt.remove(key, done);
        }
        if (notBefore.getOrDefault(key, 0L) > now || inFlight.putIfAbsent(key, now) != null) {
            return;
        }
        actionsStarted.incrementAndGet();
        try {
            workers.execute(() -> {
                try {
                    work.run();
                    notBefore.remove(key);
                } catch (Exception e) {
                    if (e instanceof io.deskmesh.hypervisor.HostUnavailableException) {
                        hostDown = true;
                    }
                    actionsFailed.incrementAndGet();
                    LOG.warn("{} on {} failed, retrying in {} ms: {}", key, self, BACKOFF_MS, e.toString());
                    notBefore.put(key, clock.getAsLong() + BACKOFF_MS);
                } finally {
                    completedAt.put(key, appliedIndex.getAsLong());
                    inFlight.remove(key);
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.remove(key);
        }
    }

    static String key(PlanAction action) {
        return switch (action) {
            case PlanAction.FetchReplica a -> "fetch:" + a.ref();
            case PlanAction.DropReplica a -> "drop:" + a.ref();
            case PlanAction.AllocateVms a -> "allocate:" + a.template();
            case PlanAction.BuildVm a -> "vm:" + a.vmId();
            case PlanAction.StartVm a -> "vm:" + a.vmId();
            case PlanAction.StopVm a -> "vm:" + a.vmId();
            case PlanAction.RegenerateVm a -> "vm:" + a.vmId();
            case PlanAction.RetireVm a -> "vm:" + a.vmId();
            case PlanAction.DeleteVm a -> "vm:" + a.vmId();
        };
    }

    /**
     * Brings the image in line with what the host really runs: VMs the host lost are reported
     * unhealthy (and so replaced), power states the image missed are reported, and VMs the host has
     * but the grid does not are deleted.
     */
    private void sync() throws Exception {
        Map<String, VmStatus> onHost = new HashMap<>();
        for (VmStatus s : driver.list()) {
            onHost.put(s.vmId(), s);
        }
        hostDown = false;
        // The image is read after the host's list: every VM the host defined had been allocated in
        // an image applied before, so a VM missing from this image is really not the grid's.
        ClusterImage image = latest.get();
        for (VmImage vm : image.vms().all()) {
            if (!vm.server().equals(self) || vm.state() == VmState.ALLOCATED || inFlight.containsKey("vm:" + vm.vmId())) {
                continue;
            }
            VmStatus host = onHost.remove(vm.vmId());
            if (host == null && runner.onHostNow(vm.vmId())) {
                continue;  // defined anew since the list (a desktop moved into its owner's home)
            }
            MeshCommand fix = reconcileOne(vm, host);
            if (fix != null) {
                runner.submit(fix);
            }
        }
        for (String orphan : onHost.keySet()) {
            if (image.vms().get(orphan).isEmpty() && !inFlight.containsKey("vm:" + orphan)) {
                LOG.info("deleting VM {} from host {}: the grid no longer has it", orphan, self);
                try {
                    driver.destroy(orphan);
                    driver.delete(orphan);
                } catch (io.deskmesh.hypervisor.VmNotFoundException gone) {
                    LOG.debug("orphan {} vanished meanwhile", orphan);
                }
            }
        }
    }

    private static MeshCommand reconcileOne(VmImage vm, VmStatus host) {
        boolean retiring = vm.state() == VmState.RETIRING || vm.state() == VmState.UNHEALTHY;
        if (host == null) {
            return retiring ? null : new MarkVmUnhealthyCommand(vm.vmId(), "not found on its host");
        }
        if (host.state() == VmPowerState.CRASHED && !retiring) {
            return new MarkVmUnhealthyCommand(vm.vmId(), "crashed");
        }
        if (vm.state() == VmState.RUNNING && !host.state().poweredOn()) {
            return new ReportVmStoppedCommand(vm.vmId());
        }
        if (vm.state() == VmState.STOPPED && host.state().poweredOn()) {
            return new ReportVmStartedCommand(vm.vmId());
        }
        return null;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        workers.shutdownNow();
        try {
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
