package io.deskmesh.model.image;

import io.deskmesh.model.record.*;

/**
 * Replays records onto a {@link ClusterImage}. {@link #replay} is the one switch over every record
 * type, with no default, so the compiler names every place a new record type must be handled.
 * {@link #image} gives a consistent image of everything replayed so far at O(1) cost, which lets
 * commands in one log entry see the records of the commands before them. Not thread-safe: one
 * replaying thread.
 */
public final class ClusterDelta {
    private final ClusterImage base;
    private GridImage grid;
    private final ServersDelta servers;
    private final TemplatesDelta templates;
    private final BaseImagesDelta images;
    private final VmsDelta vms;
    private final SessionsDelta sessions;
    private final AccountsDelta accounts;
    private final AuditDelta audit;
    private long at;

    public ClusterDelta(ClusterImage base) {
        this.base = base;
        this.grid = base.grid();
        this.servers = new ServersDelta(base.servers());
        this.templates = new TemplatesDelta(base.templates());
        this.images = new BaseImagesDelta(base.images());
        this.vms = new VmsDelta(base.vms());
        this.sessions = new SessionsDelta(base.sessions());
        this.accounts = new AccountsDelta(base.accounts());
        this.audit = new AuditDelta(base.audit());
        this.at = base.at();
    }

    /** Applies one record. Throws {@link ReplayException} when the record contradicts the image. */
    public void replay(MeshRecord record) {
        switch (record) {
            case GridCreatedRecord r -> {
                if (grid.exists()) {
                    throw new ReplayException("grid created twice: '" + grid.gridId() + "' then '" + r.gridId() + "'");
                }
                grid = new GridImage(r.gridId(), r.at());
            }
            case ServerJoinedRecord r -> servers.replay(r);
            case ServerCapacityReportedRecord r -> servers.replay(r);
            case ServerDrainedRecord r -> servers.replay(r);
            case ServerResumedRecord r -> servers.replay(r);
            case ServerMissingRecord r -> servers.replay(r);
            case ServerRejoinedRecord r -> servers.replay(r);
            case ServerSuspectedRecord r -> servers.replay(r);
            case ServerRemovedRecord r -> {
                servers.replay(r);
                images.forgetServer(r.name());
            }
            case TemplateCreatedRecord r -> templates.replay(r);
            case TemplateUpdatedRecord r -> templates.replay(r);
            case TemplateDeletedRecord r -> {
                templates.replay(r);
                sessions.forgetTemplate(r.name());
            }
            case ImageVersionRegisteredRecord r -> images.replay(r);
            case ImageVersionRemovedRecord r -> images.replay(r);
            case ReplicaTransferStartedRecord r -> images.replay(r);
            case ReplicaLandedRecord r -> images.replay(r);
            case ReplicaTransferFailedRecord r -> images.replay(r);
            case ReplicaRemovedRecord r -> images.replay(r);
            case VmAllocatedRecord r -> vms.replay(r);
            case VmCreatedRecord r -> vms.replay(r);
            case VmStartedRecord r -> vms.replay(r);
            case VmStoppedRecord r -> vms.replay(r);
            case VmRegeneratedRecord r -> vms.replay(r);
            case VmDeletedRecord r -> vms.replay(r);
            case VmUnhealthyRecord r -> vms.replay(r);
            case VmRetiredRecord r -> vms.replay(r);
            case VmOwnerAssignedRecord r -> vms.replay(r);
            case VmDirtyRecord r -> vms.replay(r);
            case UserCreatedRecord r -> accounts.replay(r);
            case UserUpdatedRecord r -> accounts.replay(r);
            case UserDeletedRecord r -> accounts.replay(r);
            case GroupCreatedRecord r -> accounts.replay(r);
            case GroupDeletedRecord r -> accounts.replay(r);
            case GroupMemberAddedRecord r -> accounts.replay(r);
            case GroupMemberRemovedRecord r -> accounts.replay(r);
            case GrantCreatedRecord r -> accounts.replay(r);
            case GrantRevokedRecord r -> accounts.replay(r);
            case SessionReservedRecord r -> {
                sessions.replay(r);
                vms.replay(r);
            }
            case SessionConnectedRecord r -> sessions.replay(r);
            case SessionDisconnectedRecord r -> sessions.replay(r);
            case SessionEndedRecord r -> vms.replay(r, sessions.end(r.sessionId()));
            case SessionExpiredRecord r -> vms.replay(r, sessions.end(r.sessionId()));
            case DemandUnmetRecord r -> sessions.replay(r);
            case PoolDemandObservedRecord r -> sessions.replay(r);
            case AuditEventRecord r -> audit.replay(r);
            case TokenRevokedRecord r -> audit.replay(r);
        }
        at = Math.max(at, record.at());
    }

    /** Everything replayed so far, as an image still stamped with the base index. */
    public ClusterImage image() {
        return apply(base.index(), at);
    }

    /** Everything replayed so far, as an image at {@code index}. */
    public ClusterImage apply(long index, long lastAt) {
        return new ClusterImage(index, lastAt, grid, servers.apply(), templates.apply(), images.apply(), vms.apply(),
                sessions.apply(), accounts.apply(), audit.apply());
    }
}
