package io.deskmesh.model.record;

/**
 * One replicated fact about the grid. Records are immutable values; replaying them in log order is
 * the only way cluster state changes. Every record carries {@code at}, the log time (epoch
 * milliseconds) stamped when it was generated, so replay never needs a clock.
 */
public sealed interface MeshRecord permits
        GridCreatedRecord,
        ServerJoinedRecord,
        ServerCapacityReportedRecord,
        ServerDrainedRecord,
        ServerResumedRecord,
        ServerMissingRecord,
        ServerRejoinedRecord,
        ServerRemovedRecord,
        ServerSuspectedRecord,
        TemplateCreatedRecord,
        TemplateUpdatedRecord,
        TemplateDeletedRecord,
        ImageVersionRegisteredRecord,
        ReplicaTransferStartedRecord,
        ReplicaLandedRecord,
        ReplicaTransferFailedRecord,
        ReplicaRemovedRecord,
        ImageVersionRemovedRecord,
        VmAllocatedRecord,
        VmCreatedRecord,
        VmStartedRecord,
        VmStoppedRecord,
        VmRegeneratedRecord,
        VmDeletedRecord,
        VmUnhealthyRecord,
        VmRetiredRecord,
        VmOwnerAssignedRecord,
        VmDirtyRecord,
        UserCreatedRecord,
        UserUpdatedRecord,
        UserDeletedRecord,
        GroupCreatedRecord,
        GroupDeletedRecord,
        GroupMemberAddedRecord,
        GroupMemberRemovedRecord,
        GrantCreatedRecord,
        GrantRevokedRecord,
        SessionReservedRecord,
        SessionConnectedRecord,
        SessionDisconnectedRecord,
        SessionEndedRecord,
        SessionExpiredRecord,
        DemandUnmetRecord,
        PoolDemandObservedRecord,
        AuditEventRecord,
        TokenRevokedRecord {

    /** Log time at which the record was generated, epoch milliseconds. */
    long at();

    /** This record's stable type. */
    default RecordType type() {
        return RecordType.of(this);
    }
}
