package io.deskmesh.model.command;

import io.deskmesh.model.image.ClusterDelta;
import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.record.MeshRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Applies commands: generates each command's records against the current image, then replays them,
 * so the next command sees them. {@link #generate} is the one switch over every command type.
 * Generation never changes state; replay is the only mutator. Stateless, thread-safe.
 */
public final class CommandProcessor {
    private CommandProcessor() {
    }

    /** What one log entry of commands did: the new image, every record, and one reply per command. */
    public record BatchResult(ClusterImage image, List<MeshRecord> records, List<Reply> replies) {
    }

    /** Applies the commands of one log entry, in order, stamping the result with {@code index}. */
    public static BatchResult apply(ClusterImage image, long index, long at, List<? extends MeshCommand> commands) {
        ClusterDelta delta = new ClusterDelta(image);
        List<MeshRecord> all = new ArrayList<>();
        List<Reply> replies = new ArrayList<>(commands.size());
        for (int seq = 0; seq < commands.size(); seq++) {
            CommandResult result = generate(delta.image(), commands.get(seq), new CommandContext(index, at, seq));
            for (MeshRecord r : result.records()) {
                delta.replay(r);
            }
            all.addAll(result.records());
            replies.add(result.reply());
        }
        return new BatchResult(delta.apply(index, Math.max(image.at(), at)), all, replies);
    }

    /** Validates one command against an image and returns its records and reply; changes nothing. */
    public static CommandResult generate(ClusterImage image, MeshCommand command, CommandContext ctx) {
        try {
            return dispatch(image, command, ctx);
        } catch (CommandException e) {
            return CommandResult.failed(e.code(), e.getMessage());
        }
    }

    private static CommandResult dispatch(ClusterImage image, MeshCommand command, CommandContext ctx) {
        if (command == null) {
            throw Check.invalid("no command");
        }
        return switch (command) {
            case CreateGridCommand c -> ServerControl.createGrid(image, c, ctx);
            case JoinServerCommand c -> ServerControl.join(image, c, ctx);
            case ReportCapacityCommand c -> ServerControl.reportCapacity(image, c, ctx);
            case DrainServerCommand c -> ServerControl.drain(image, c, ctx);
            case ResumeServerCommand c -> ServerControl.resume(image, c, ctx);
            case MarkServerMissingCommand c -> ServerControl.markMissing(image, c, ctx);
            case RejoinServerCommand c -> ServerControl.rejoin(image, c, ctx);
            case SuspectServerCommand c -> ServerControl.suspect(image, c, ctx);
            case RemoveServerCommand c -> ServerControl.remove(image, c, ctx);
            case CreateTemplateCommand c -> TemplateControl.create(image, c, ctx);
            case UpdateTemplateCommand c -> TemplateControl.update(image, c, ctx);
            case DeleteTemplateCommand c -> TemplateControl.delete(image, c, ctx);
            case RegisterImageVersionCommand c -> ImageControl.register(image, c, ctx);
            case StartReplicaTransferCommand c -> ImageControl.startTransfer(image, c, ctx);
            case LandReplicaCommand c -> ImageControl.land(image, c, ctx);
            case FailReplicaTransferCommand c -> ImageControl.fail(image, c, ctx);
            case RemoveReplicaCommand c -> ImageControl.removeReplica(image, c, ctx);
            case RemoveImageVersionCommand c -> ImageControl.removeVersion(image, c, ctx);
            case AllocateVmsCommand c -> VmControl.allocate(image, c, ctx);
            case ReportVmCreatedCommand c -> VmControl.created(image, c, ctx);
            case ReportVmStartedCommand c -> VmControl.started(image, c, ctx);
            case ReportVmStoppedCommand c -> VmControl.stopped(image, c, ctx);
            case ReportVmRegeneratedCommand c -> VmControl.regenerated(image, c, ctx);
            case ReportVmDeletedCommand c -> VmControl.deleted(image, c, ctx);
            case MarkVmUnhealthyCommand c -> VmControl.unhealthy(image, c, ctx);
            case RetireVmCommand c -> VmControl.retire(image, c, ctx);
            case CreateUserCommand c -> AccountControl.createUser(image, c, ctx);
            case UpdateUserCommand c -> AccountControl.updateUser(image, c, ctx);
            case DeleteUserCommand c -> AccountControl.deleteUser(image, c, ctx);
            case CreateGroupCommand c -> AccountControl.createGroup(image, c, ctx);
            case DeleteGroupCommand c -> AccountControl.deleteGroup(image, c, ctx);
            case SetGroupMembersCommand c -> AccountControl.setMembers(image, c, ctx);
            case SetUserGroupsCommand c -> AccountControl.setUserGroups(image, c, ctx);
            case CreateGrantCommand c -> AccountControl.createGrant(image, c, ctx);
            case RevokeGrantCommand c -> AccountControl.revokeGrant(image, c, ctx);
            case ReserveDesktopCommand c -> SessionControl.reserve(image, c, ctx);
            case ConnectSessionCommand c -> SessionControl.connect(image, c, ctx);
            case DisconnectSessionCommand c -> SessionControl.disconnect(image, c, ctx);
            case EndSessionCommand c -> SessionControl.end(image, c, ctx);
            case ExpireSessionCommand c -> SessionControl.expire(image, c, ctx);
            case RecordAuditCommand c -> AccountControl.audit(image, c, ctx);
            case RevokeTokenCommand c -> AccountControl.revokeToken(image, c, ctx);
        };
    }
}
