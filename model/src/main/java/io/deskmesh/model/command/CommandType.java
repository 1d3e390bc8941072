package io.deskmesh.model.command;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stable type id of every command, as written into the Raft log. Ids are never reused or
 * renumbered. Thread-safe (immutable).
 */
public enum CommandType {
    CREATE_GRID(1, CreateGridCommand.class),
    JOIN_SERVER(2, JoinServerCommand.class),
    REPORT_CAPACITY(3, ReportCapacityCommand.class),
    DRAIN_SERVER(4, DrainServerCommand.class),
    RESUME_SERVER(5, ResumeServerCommand.class),
    MARK_SERVER_MISSING(6, MarkServerMissingCommand.class),
    REJOIN_SERVER(7, RejoinServerCommand.class),
    SUSPECT_SERVER(8, SuspectServerCommand.class),
    REMOVE_SERVER(9, RemoveServerCommand.class),
    CREATE_TEMPLATE(20, CreateTemplateCommand.class),
    UPDATE_TEMPLATE(21, UpdateTemplateCommand.class),
    DELETE_TEMPLATE(22, DeleteTemplateCommand.class),
    REGISTER_IMAGE_VERSION(30, RegisterImageVersionCommand.class),
    START_REPLICA_TRANSFER(31, StartReplicaTransferCommand.class),
    LAND_REPLICA(32, LandReplicaCommand.class),
    FAIL_REPLICA_TRANSFER(33, FailReplicaTransferCommand.class),
    REMOVE_REPLICA(34, RemoveReplicaCommand.class),
    REMOVE_IMAGE_VERSION(35, RemoveImageVersionCommand.class),
    ALLOCATE_VMS(40, AllocateVmsCommand.class),
    REPORT_VM_CREATED(41, ReportVmCreatedCommand.class),
    REPORT_VM_STARTED(42, ReportVmStartedCommand.class),
    REPORT_VM_STOPPED(43, ReportVmStoppedCommand.class),
    REPORT_VM_REGENERATED(44, ReportVmRegeneratedCommand.class),
    REPORT_VM_DELETED(45, ReportVmDeletedCommand.class),
    MARK_VM_UNHEALTHY(46, MarkVmUnhealthyCommand.class),
    RETIRE_VM(47, RetireVmCommand.class),
    CREATE_USER(60, CreateUserCommand.class),
    UPDATE_USER(61, UpdateUserCommand.class),
    DELETE_USER(62, DeleteUserCommand.class),
    CREATE_GROUP(63, CreateGroupCommand.class),
    DELETE_GROUP(64, DeleteGroupCommand.class),
    SET_GROUP_MEMBERS(65, SetGroupMembersCommand.class),
    SET_USER_GROUPS(66, SetUserGroupsCommand.class),
    CREATE_GRANT(68, CreateGrantCommand.class),
    REVOKE_GRANT(69, RevokeGrantCommand.class),
    RESERVE_DESKTOP(80, ReserveDesktopCommand.class),
    CONNECT_SESSION(81, ConnectSessionCommand.class),
    DISCONNECT_SESSION(82, DisconnectSessionCommand.class),
    END_SESSION(83, EndSessionCommand.class),
    EXPIRE_SESSION(84, ExpireSessionCommand.class),
    RECORD_AUDIT(90, RecordAuditCommand.class),
    REVOKE_TOKEN(91, RevokeTokenCommand.class);

    private static final Map<Integer, CommandType> BY_ID = new TreeMap<>();
    private static final Map<Class<? extends MeshCommand>, CommandType> BY_CLASS = new IdentityHashMap<>();

    static {
        for (CommandType t : values()) {
            if (BY_ID.put(t.id, t) != null) {
                throw new ExceptionInInitializerError("command type id " + t.id + " is used twice");
            }
            BY_CLASS.put(t.type, t);
        }
    }

    private final int id;
    private final Class<? extends MeshCommand> type;

    CommandType(int id, Class<? extends MeshCommand> type) {
        this.id = id;
        this.type = type;
    }

    public int id() {
        return id;
    }

    public Class<? extends MeshCommand> commandClass() {
        return type;
    }

    /** The type with this id, or {@code null} when this version does not know it. */
    public static CommandType byId(int id) {
        return BY_ID.get(id);
    }

    public static CommandType of(MeshCommand command) {
        return BY_CLASS.get(command.getClass());
    }
}
