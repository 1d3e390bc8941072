package io.deskmesh.testkit;

import io.deskmesh.model.command.AllocateVmsCommand;
import io.deskmesh.model.command.RecordAuditCommand;
import io.deskmesh.model.command.RevokeTokenCommand;
import io.deskmesh.model.record.AuditEventRecord;
import io.deskmesh.model.record.TokenRevokedRecord;
import io.deskmesh.model.command.CommandType;
import io.deskmesh.model.command.ConnectSessionCommand;
import io.deskmesh.model.command.CreateGrantCommand;
import io.deskmesh.model.command.CreateGridCommand;
import io.deskmesh.model.command.CreateGroupCommand;
import io.deskmesh.model.command.CreateTemplateCommand;
import io.deskmesh.model.command.CreateUserCommand;
import io.deskmesh.model.command.DeleteGroupCommand;
import io.deskmesh.model.command.DeleteTemplateCommand;
import io.deskmesh.model.command.DeleteUserCommand;
import io.deskmesh.model.command.DisconnectSessionCommand;
import io.deskmesh.model.command.DrainServerCommand;
import io.deskmesh.model.command.EndSessionCommand;
import io.deskmesh.model.command.ExpireSessionCommand;
import io.deskmesh.model.command.FailReplicaTransferCommand;
import io.deskmesh.model.command.JoinServerCommand;
import io.deskmesh.model.command.LandReplicaCommand;
import io.deskmesh.model.command.MarkServerMissingCommand;
import io.deskmesh.model.command.MarkVmUnhealthyCommand;
import io.deskmesh.model.command.MeshCommand;
import io.deskmesh.model.command.RegisterImageVersionCommand;
import io.deskmesh.model.command.RejoinServerCommand;
import io.deskmesh.model.command.RemoveImageVersionCommand;
import io.deskmesh.model.command.RemoveReplicaCommand;
import io.deskmesh.model.command.RemoveServerCommand;
import io.deskmesh.model.command.ReportCapacityCommand;
import io.deskmesh.model.command.ReportVmCreatedCommand;
import io.deskmesh.model.command.ReportVmDeletedCommand;
import io.deskmesh.model.command.ReportVmRegeneratedCommand;
import io.deskmesh.model.command.ReportVmStartedCommand;
import io.deskmesh.model.command.ReportVmStoppedCommand;
import io.deskmesh.model.command.ReserveDesktopCommand;
import io.deskmesh.model.command.ResumeServerCommand;
import io.deskmesh.model.command.RetireVmCommand;
import io.deskmesh.model.command.RevokeGrantCommand;
import io.deskmesh.model.command.SetGroupMembersCommand;
import io.deskmesh.model.command.SetUserGroupsCommand;
import io.deskmesh.model.command.StartReplicaTransferCommand;
import io.deskmesh.model.command.SuspectServerCommand;
import io.deskmesh.model.command.UpdateTemplateCommand;
import io.deskmesh.model.command.UpdateUserCommand;
import io.deskmesh.model.record.Capacity;
import io.deskmesh.model.record.DemandUnmetRecord;
import io.deskmesh.model.record.DesiredVms;
import io.deskmesh.model.record.GrantCreatedRecord;
import io.deskmesh.model.record.GrantRevokedRecord;
import io.deskmesh.model.record.GridCreatedRecord;
import io.deskmesh.model.record.GroupCreatedRecord;
import io.deskmesh.model.record.GroupDeletedRecord;
import io.deskmesh.model.record.GroupMemberAddedRecord;
import io.deskmesh.model.record.GroupMemberRemovedRecord;
import io.deskmesh.model.record.ImageVersionRegisteredRecord;
import io.deskmesh.model.record.ImageVersionRemovedRecord;
import io.deskmesh.model.record.MeshRecord;
import io.deskmesh.model.record.PoolDemandObservedRecord;
import io.deskmesh.model.record.PoolKind;
import io.deskmesh.model.record.RecordType;
import io.deskmesh.model.record.ReplicaLandedRecord;
import io.deskmesh.model.record.ReplicaRemovedRecord;
import io.deskmesh.model.record.ReplicaTransferFailedRecord;
import io.deskmesh.model.record.ReplicaTransferStartedRecord;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.ServerCapacityReportedRecord;
import io.deskmesh.model.record.ServerDrainedRecord;
import io.deskmesh.model.record.ServerJoinedRecord;
import io.deskmesh.model.record.ServerMissingRecord;
import io.deskmesh.model.record.ServerRejoinedRecord;
import io.deskmesh.model.record.ServerRemovedRecord;
import io.deskmesh.model.record.ServerResumedRecord;
import io.deskmesh.model.record.ServerSuspectedRecord;
import io.deskmesh.model.record.SessionConnectedRecord;
import io.deskmesh.model.record.SessionDisconnectedRecord;
import io.deskmesh.model.record.SessionEndedRecord;
import io.deskmesh.model.record.SessionExpiredRecord;
import io.deskmesh.model.record.SessionReservedRecord;
import io.deskmesh.model.record.TemplateCreatedRecord;
import io.deskmesh.model.record.TemplateDeletedRecord;
import io.deskmesh.model.record.TemplateSpec;
import io.deskmesh.model.record.TemplateUpdatedRecord;
import io.deskmesh.model.record.UserCreatedRecord;
import io.deskmesh.model.record.UserDeletedRecord;
import io.deskmesh.model.record.UserUpdatedRecord;
import io.deskmesh.model.record.VmAllocatedRecord;
import io.deskmesh.model.record.VmCreatedRecord;
import io.deskmesh.model.record.VmDeletedRecord;
import io.deskmesh.model.record.VmDirtyRecord;
import io.deskmesh.model.record.VmOwnerAssignedRecord;
import io.deskmesh.model.record.VmRegeneratedRecord;
import io.deskmesh.model.record.VmRetiredRecord;
import io.deskmesh.model.record.VmStartedRecord;
import io.deskmesh.model.record.VmStoppedRecord;
import io.deskmesh.model.record.VmUnhealthyRecord;

import java.util.Arrays;
import java.util.List;

/**
 * One valid sample of every record type and every command type, with every field set to a
 * non-default value where the type allows it, so codec tests exercise every field. The switches over
 * {@link RecordType} and {@link CommandType} have no default: a new type without a sample does not
 * compile. Stateless, thread-safe.
 */
public final class Samples {
    /** The log time every sample record carries. */
    public static final long AT = GridFixture.EPOCH + 12_345;
    public static final String SHA = GridFixture.sha256("win11@2");
    public static final Capacity CAPACITY = new Capacity(32, 131_072, 2_000_000);
    public static final TemplateSpec SPEC = new TemplateSpec("office", 2, 4096, "win11", 2, PoolKind.PERSISTENT,
            DesiredVms.of(25), 3, 2, 1800, 600);
    public static final TemplateSpec AUTO_SPEC = new TemplateSpec("kiosk", 1, 2048, "ubuntu", 7, PoolKind.NON_PERSISTENT,
            DesiredVms.AUTO, 0, 1, 0, 0);

    private Samples() {
    }

    /** A sample of one record type; its {@link MeshRecord#type()} is {@code type}. */
    public static MeshRecord record(RecordType type) {
        return switch (type) {
            case GRID_CREATED -> new GridCreatedRecord("grid-7f3a", AT);
            case SERVER_JOINED -> new ServerJoinedRecord("s1", "rack-a", "10.0.0.1:8443", CAPACITY, AT);
            case SERVER_CAPACITY_REPORTED -> new ServerCapacityReportedRecord("s1", new Capacity(48, 262_144, 4_000_000), AT);
            case SERVER_DRAINED -> new ServerDrainedRecord("s1", AT);
            case SERVER_RESUMED -> new ServerResumedRecord("s1", AT);
            case SERVER_MISSING -> new ServerMissingRecord("s1", "no heartbeat for 30s", AT);
            case SERVER_REJOINED -> new ServerRejoinedRecord("s1", "10.0.0.9:8443", AT);
            case SERVER_REMOVED -> new ServerRemovedRecord("s1", AT);
            case SERVER_SUSPECTED -> new ServerSuspectedRecord("s1", "s2", "connection refused", AT);
            case TEMPLATE_CREATED -> new TemplateCreatedRecord(SPEC, AT);
            case TEMPLATE_UPDATED -> new TemplateUpdatedRecord(AUTO_SPEC, AT);
            case TEMPLATE_DELETED -> new TemplateDeletedRecord("office", AT);
            case IMAGE_VERSION_REGISTERED -> new ImageVersionRegisteredRecord("win11", 2, 21_474_836_480L, SHA, 1, AT);
            case REPLICA_TRANSFER_STARTED -> new ReplicaTransferStartedRecord("win11", 2, "s2", "s1", AT);
            case REPLICA_LANDED -> new ReplicaLandedRecord("win11", 2, "s2", AT);
            case REPLICA_TRANSFER_FAILED -> new ReplicaTransferFailedRecord("win11", 2, "s2", "checksum mismatch", AT);
            case REPLICA_REMOVED -> new ReplicaRemovedRecord("win11", 2, "s2", AT);
            case IMAGE_VERSION_REMOVED -> new ImageVersionRemovedRecord("win11", 1, AT);
            case VM_ALLOCATED -> new VmAllocatedRecord("office-1a-0-2", "office", "s1", 2, 2, 4096, AT);
            case VM_CREATED -> new VmCreatedRecord("office-1a-0-2", "52:54:00:12:34:56", AT);
            case VM_STARTED -> new VmStartedRecord("office-1a-0-2", AT);
            case VM_STOPPED -> new VmStoppedRecord("office-1a-0-2", AT);
            case VM_REGENERATED -> new VmRegeneratedRecord("office-1a-0-2", 3, AT);
            case VM_DELETED -> new VmDeletedRecord("office-1a-0-2", AT);
            case VM_UNHEALTHY -> new VmUnhealthyRecord("office-1a-0-2", "agent silent", AT);
            case VM_RETIRED -> new VmRetiredRecord("office-1a-0-2", "pool shrank", AT);
            case VM_OWNER_ASSIGNED -> new VmOwnerAssignedRecord("office-1a-0-2", "ann", AT);
            case VM_DIRTY -> new VmDirtyRecord("office-1a-0-2", AT);
            case USER_CREATED -> new UserCreatedRecord("ann", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", Role.ADMIN,
                    "site-a", AT);
            case USER_UPDATED -> new UserUpdatedRecord("ann", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdDI$aGFzaDI", Role.USER,
                    "site-b", AT);
            case USER_DELETED -> new UserDeletedRecord("ann", AT);
            case GROUP_CREATED -> new GroupCreatedRecord("finance", AT);
            case GROUP_DELETED -> new GroupDeletedRecord("finance", AT);
            case GROUP_MEMBER_ADDED -> new GroupMemberAddedRecord("finance", "ann", AT);
            case GROUP_MEMBER_REMOVED -> new GroupMemberRemovedRecord("finance", "ann", AT);
            case GRANT_CREATED -> new GrantCreatedRecord("g-2p-1", "office", null, "finance", AT);
            case GRANT_REVOKED -> new GrantRevokedRecord("g-2p-1", AT);
            case SESSION_RESERVED -> new SessionReservedRecord("s-3k-4", "ann", "office", "office-1a-0-2", "s1", AT);
            case SESSION_CONNECTED -> new SessionConnectedRecord("s-3k-4", AT);
            case SESSION_DISCONNECTED -> new SessionDisconnectedRecord("s-3k-4", AT);
            case SESSION_ENDED -> new SessionEndedRecord("s-3k-4", "logged off", AT);
            case SESSION_EXPIRED -> new SessionExpiredRecord("s-3k-4", "idle for 1800s", AT);
            case DEMAND_UNMET -> new DemandUnmetRecord("office", "bob", AT);
            case POOL_DEMAND_OBSERVED -> new PoolDemandObservedRecord("office", 17, 4, AT);
            case AUDIT_EVENT -> new AuditEventRecord(7, "alice", "template.create", "office", "10.1.2.3", true, "", AT);
            case TOKEN_REVOKED -> new TokenRevokedRecord("t-5f2a", AT + 3_600_000, AT);
        };
    }

    /** One sample of every record type, in type order. */
    public static List<MeshRecord> records() {
        return Arrays.stream(RecordType.values()).map(Samples::record).toList();
    }

    /** A sample of one command type; its {@link MeshCommand#type()} is {@code type}. */
    public static MeshCommand command(CommandType type) {
        return switch (type) {
            case CREATE_GRID -> new CreateGridCommand("grid-7f3a");
            case JOIN_SERVER -> new JoinServerCommand("s1", "rack-a", "10.0.0.1:8443", CAPACITY);
            case REPORT_CAPACITY -> new ReportCapacityCommand("s1", new Capacity(48, 262_144, 4_000_000));
            case DRAIN_SERVER -> new DrainServerCommand("s1");
            case RESUME_SERVER -> new ResumeServerCommand("s1");
            case MARK_SERVER_MISSING -> new MarkServerMissingCommand("s1", "no heartbeat for 30s");
            case REJOIN_SERVER -> new RejoinServerCommand("s1", "10.0.0.9:8443");
            case SUSPECT_SERVER -> new SuspectServerCommand("s1", "s2", "connection refused");
            case REMOVE_SERVER -> new RemoveServerCommand("s1");
            case CREATE_TEMPLATE -> new CreateTemplateCommand(SPEC);
            case UPDATE_TEMPLATE -> new UpdateTemplateCommand(SPEC.withDesiredVms(DesiredVms.of(30)));
            case DELETE_TEMPLATE -> new DeleteTemplateCommand("office");
            case REGISTER_IMAGE_VERSION -> new RegisterImageVersionCommand("win11", 2, 21_474_836_480L, SHA, 1, "s1");
            case START_REPLICA_TRANSFER -> new StartReplicaTransferCommand("win11", 2, "s2", "s1");
            case LAND_REPLICA -> new LandReplicaCommand("win11", 2, "s2");
            case FAIL_REPLICA_TRANSFER -> new FailReplicaTransferCommand("win11", 2, "s2", "checksum mismatch");
            case REMOVE_REPLICA -> new RemoveReplicaCommand("win11", 2, "s2");
            case REMOVE_IMAGE_VERSION -> new RemoveImageVersionCommand("win11", 1);
            case ALLOCATE_VMS -> new AllocateVmsCommand("office", "s1", 5);
            case REPORT_VM_CREATED -> new ReportVmCreatedCommand("office-1a-0-2", "52:54:00:12:34:56");
            case REPORT_VM_STARTED -> new ReportVmStartedCommand("office-1a-0-2");
            case REPORT_VM_STOPPED -> new ReportVmStoppedCommand("office-1a-0-2");
            case REPORT_VM_REGENERATED -> new ReportVmRegeneratedCommand("office-1a-0-2", 3);
            case REPORT_VM_DELETED -> new ReportVmDeletedCommand("office-1a-0-2");
            case MARK_VM_UNHEALTHY -> new MarkVmUnhealthyCommand("office-1a-0-2", "agent silent");
            case RETIRE_VM -> new RetireVmCommand("office-1a-0-2", "pool shrank");
            case CREATE_USER -> new CreateUserCommand("ann", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", Role.ADMIN,
                    "site-a");
            case UPDATE_USER -> new UpdateUserCommand("ann", null, Role.USER, "site-b");
            case DELETE_USER -> new DeleteUserCommand("ann");
            case CREATE_GROUP -> new CreateGroupCommand("finance", List.of("ann", "bob"));
            case DELETE_GROUP -> new DeleteGroupCommand("finance");
            case SET_GROUP_MEMBERS -> new SetGroupMembersCommand("finance", List.of("bob"));
            case SET_USER_GROUPS -> new SetUserGroupsCommand("ann", List.of("finance", "staff"));
            case CREATE_GRANT -> new CreateGrantCommand("office", null, "finance");
            case REVOKE_GRANT -> new RevokeGrantCommand("g-2p-1");
            case RESERVE_DESKTOP -> new ReserveDesktopCommand("ann", "office", List.of("s3"));
            case CONNECT_SESSION -> new ConnectSessionCommand("s-3k-4");
            case DISCONNECT_SESSION -> new DisconnectSessionCommand("s-3k-4");
            case END_SESSION -> new EndSessionCommand("s-3k-4", "logged off");
            case EXPIRE_SESSION -> new ExpireSessionCommand("s-3k-4", "idle for 1800s");
            case RECORD_AUDIT -> new RecordAuditCommand("alice", "login", "", "10.1.2.3", false, "wrong password");
            case REVOKE_TOKEN -> new RevokeTokenCommand("t-5f2a", AT + 3_600_000);
        };
    }

    /** One sample of every command type, in type order. */
    public static List<MeshCommand> commands() {
        return Arrays.stream(CommandType.values()).map(Samples::command).toList();
    }
}
