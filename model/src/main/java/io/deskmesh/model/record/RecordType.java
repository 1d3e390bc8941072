package io.deskmesh.model.record;

import java.util.Map;
import java.util.TreeMap;

/**
 * The stable type id of every record. An id is written into logs and snapshots and is never reused
 * or renumbered: retire a record type by leaving its id out, never by giving it to another. Ids are
 * grouped by domain (1-19 servers, 20-29 templates, 30-39 base images, 40-59 VMs, 60-79 accounts,
 * 80-89 sessions, 90-99 audit and tokens). Thread-safe (immutable).
 */
public enum RecordType {
    GRID_CREATED(1, GridCreatedRecord.class),
    SERVER_JOINED(2, ServerJoinedRecord.class),
    SERVER_CAPACITY_REPORTED(3, ServerCapacityReportedRecord.class),
    SERVER_DRAINED(4, ServerDrainedRecord.class),
    SERVER_RESUMED(5, ServerResumedRecord.class),
    SERVER_MISSING(6, ServerMissingRecord.class),
    SERVER_REJOINED(7, ServerRejoinedRecord.class),
    SERVER_REMOVED(8, ServerRemovedRecord.class),
    SERVER_SUSPECTED(9, ServerSuspectedRecord.class),
    TEMPLATE_CREATED(20, TemplateCreatedRecord.class),
    TEMPLATE_UPDATED(21, TemplateUpdatedRecord.class),
    TEMPLATE_DELETED(22, TemplateDeletedRecord.class),
    IMAGE_VERSION_REGISTERED(30, ImageVersionRegisteredRecord.class),
    REPLICA_TRANSFER_STARTED(31, ReplicaTransferStartedRecord.class),
    REPLICA_LANDED(32, ReplicaLandedRecord.class),
    REPLICA_TRANSFER_FAILED(33, ReplicaTransferFailedRecord.class),
    REPLICA_REMOVED(34, ReplicaRemovedRecord.class),
    IMAGE_VERSION_REMOVED(35, ImageVersionRemovedRecord.class),
    VM_ALLOCATED(40, VmAllocatedRecord.class),
    VM_CREATED(41, VmCreatedRecord.class),
    VM_STARTED(42, VmStartedRecord.class),
    VM_STOPPED(43, VmStoppedRecord.class),
    VM_REGENERATED(44, VmRegeneratedRecord.class),
    VM_DELETED(45, VmDeletedRecord.class),
    VM_UNHEALTHY(46, VmUnhealthyRecord.class),
    VM_RETIRED(47, VmRetiredRecord.class),
    VM_OWNER_ASSIGNED(48, VmOwnerAssignedRecord.class),
    VM_DIRTY(49, VmDirtyRecord.class),
    USER_CREATED(60, UserCreatedRecord.class),
    USER_UPDATED(61, UserUpdatedRecord.class),
    USER_DELETED(62, UserDeletedRecord.class),
    GROUP_CREATED(63, GroupCreatedRecord.class),
    GROUP_DELETED(64, GroupDeletedRecord.class),
    GROUP_MEMBER_ADDED(65, GroupMemberAddedRecord.class),
    GROUP_MEMBER_REMOVED(66, GroupMemberRemovedRecord.class),
    GRANT_CREATED(67, GrantCreatedRecord.class),
    GRANT_REVOKED(68, GrantRevokedRecord.class),
    SESSION_RESERVED(80, SessionReservedRecord.class),
    SESSION_CONNECTED(81, SessionConnectedRecord.class),
    SESSION_DISCONNECTED(82, SessionDisconnectedRecord.class),
    SESSION_ENDED(83, SessionEndedRecord.class),
    SESSION_EXPIRED(84, SessionExpiredRecord.class),
    DEMAND_UNMET(85, DemandUnmetRecord.class),
    POOL_DEMAND_OBSERVED(86, PoolDemandObservedRecord.class),
    AUDIT_EVENT(90, AuditEventRecord.class),
    TOKEN_REVOKED(91, TokenRevokedRecord.class);

    private static final Map<Integer, RecordType> BY_ID = new TreeMap<>();
    private static final Map<Class<? extends MeshRecord>, RecordType> BY_CLASS = new java.util.IdentityHashMap<>();

    static {
        for (RecordType t : values()) {
            if (BY_ID.put(t.id, t) != null) {
                throw new ExceptionInInitializerError("record type id " + t.id + " is used twice");
            }
            BY_CLASS.put(t.type, t);
        }
    }

    private final int id;
    private final Class<? extends MeshRecord> type;

    RecordType(int id, Class<? extends MeshRecord> type) {
        this.id = id;
        this.type = type;
    }

    public int id() {
        return id;
    }

    public Class<? extends MeshRecord> recordClass() {
        return type;
    }

    /** The type with this id, or {@code null} when this version of DeskMesh does not know it. */
    public static RecordType byId(int id) {
        return BY_ID.get(id);
    }

    public static RecordType of(MeshRecord record) {
        return BY_CLASS.get(record.getClass());
    }
}
