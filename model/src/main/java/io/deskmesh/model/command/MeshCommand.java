package io.deskmesh.model.command;

/**
 * A request to change the grid. Commands travel through the Raft log; at apply time every node runs
 * {@link CommandProcessor} on the same image, which validates the command and generates records
 * plus a reply, so the outcome (including which VM a login gets) is decided once, identically
 * everywhere. A command changes nothing itself.
 */
public sealed interface MeshCommand permits
        CreateGridCommand,
        JoinServerCommand,
        ReportCapacityCommand,
        DrainServerCommand,
        ResumeServerCommand,
        MarkServerMissingCommand,
        RejoinServerCommand,
        SuspectServerCommand,
        RemoveServerCommand,
        CreateTemplateCommand,
        UpdateTemplateCommand,
        DeleteTemplateCommand,
        RegisterImageVersionCommand,
        StartReplicaTransferCommand,
        LandReplicaCommand,
        FailReplicaTransferCommand,
        RemoveReplicaCommand,
        RemoveImageVersionCommand,
        AllocateVmsCommand,
        ReportVmCreatedCommand,
        ReportVmStartedCommand,
        ReportVmStoppedCommand,
        ReportVmRegeneratedCommand,
        ReportVmDeletedCommand,
        MarkVmUnhealthyCommand,
        RetireVmCommand,
        CreateUserCommand,
        UpdateUserCommand,
        DeleteUserCommand,
        CreateGroupCommand,
        DeleteGroupCommand,
        SetGroupMembersCommand,
        SetUserGroupsCommand,
        CreateGrantCommand,
        RevokeGrantCommand,
        ReserveDesktopCommand,
        ConnectSessionCommand,
        DisconnectSessionCommand,
        EndSessionCommand,
        ExpireSessionCommand,
        RecordAuditCommand,
        RevokeTokenCommand {

    default CommandType type() {
        return CommandType.of(this);
    }
}
