package io.deskmesh.model.command;

import io.deskmesh.model.image.ClusterImage;
import io.deskmesh.model.image.GrantImage;
import io.deskmesh.model.image.SessionImage;
import io.deskmesh.model.image.UserImage;
import io.deskmesh.model.record.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** Generates records for users, groups and grants. Stateless, thread-safe. */
final class AccountControl {
    private AccountControl() {
    }

    static CommandResult createUser(ClusterImage image, CreateUserCommand c, CommandContext ctx) {
        Check.userName(c.name());
        Check.notBlank("password hash", c.passwordHash());
        if (c.role() == null) {
            throw Check.invalid("role is missing: use 'admin' or 'user'");
        }
        if (image.accounts().user(c.name()).isPresent()) {
            throw Check.conflict("user '" + c.name() + "' already exists");
        }
        return CommandResult.of(new Reply.Created(c.name()),
                new UserCreatedRecord(c.name(), c.passwordHash(), c.role(), site(c.site()), ctx.at()));
    }

    static CommandResult updateUser(ClusterImage image, UpdateUserCommand c, CommandContext ctx) {
        UserImage u = user(image, c.name());
        String hash = c.passwordHash() == null ? u.passwordHash() : c.passwordHash();
        Check.notBlank("password hash", hash);
        Role role = c.role() == null ? u.role() : c.role();
        String site = c.site() == null ? u.site() : site(c.site());
        if (u.role() == Role.ADMIN && role != Role.ADMIN && admins(image) == 1) {
            throw Check.conflict("'" + u.name() + "' is the last admin; make another admin first");
        }
        if (hash.equals(u.passwordHash()) && role == u.role() && site.equals(u.site())) {
            return CommandResult.done(List.of());
        }
        return CommandResult.of(Reply.DONE, new UserUpdatedRecord(u.name(), hash, role, site, ctx.at()));
    }

    /** Ends the user's sessions, removes memberships, grants and own desktops, then the account. */
    static CommandResult deleteUser(ClusterImage image, DeleteUserCommand c, CommandContext ctx) {
        UserImage u = user(image, c.name());
        if (u.role() == Role.ADMIN && admins(image) == 1) {
            throw Check.conflict("'" + u.name() + "' is the last admin and cannot be deleted; make another admin first");
        }
        List<MeshRecord> out = new ArrayList<>();
        for (SessionImage s : image.sessions().ofUser(u.name())) {
            out.addAll(SessionControl.endRecords(image, s, "user deleted", ctx, false));
        }
        for (String g : image.accounts().groupsOf(u.name())) {
            out.add(new GroupMemberRemovedRecord(g, u.name(), ctx.at()));
        }
        for (GrantImage g : image.accounts().grants()) {
            if (u.name().equals(g.user())) {
                out.add(new GrantRevokedRecord(g.id(), ctx.at()));
            }
        }
        for (var t : image.templates().all()) {
            image.vms().ownedBy(t.name(), u.name()).ifPresent(vm ->
                    out.add(new VmRetiredRecord(vm, "owner '" + u.name() + "' deleted", ctx.at())));
        }
        out.add(new UserDeletedRecord(u.name(), ctx.at()));
        return CommandResult.done(out);
    }

    static CommandResult createGroup(ClusterImage image, CreateGroupCommand c, CommandContext ctx) {
        Check.name("group", c.name());
        if (image.accounts().groupExists(c.name())) {
            throw Check.conflict("group '" + c.name() + "' already exists");
        }
        List<MeshRecord> out = new ArrayList<>();
        out.add(new GroupCreatedRecord(c.name(), ctx.at()));
        for (String m : members(image, c.members())) {
            out.add(new GroupMemberAddedRecord(c.name(), m, ctx.at()));
        }
        return new CommandResult(out, new Reply.Created(c.name()));
    }

    static CommandResult setMembers(ClusterImage image, SetGroupMembersCommand c, CommandContext ctx) {
        group(image, c.name());
        Set<String> wanted = members(image, c.members());
        Set<String> now = image.accounts().members(c.name());
        List<MeshRecord> out = new ArrayList<>();
        for (String m : now) {
            if (!wanted.contains(m)) {
                out.add(new GroupMemberRemovedRecord(c.name(), m, ctx.at()));
            }
        }
        for (String m : wanted) {
            if (!now.contains(m)) {
                out.add(new GroupMemberAddedRecord(c.name(), m, ctx.at()));
            }
        }
        return CommandResult.done(out);
    }

    static CommandResult setUserGroups(ClusterImage image, SetUserGroupsCommand c, CommandContext ctx) {
        user(image, c.user());
        Set<String> wanted = new TreeSet<>();
        for (String g : c.groups()) {
            group(image, g);
            wanted.add(g);
        }
        Set<String> now = image.accounts().groupsOf(c.user());
        List<MeshRecord> out = new ArrayList<>();
        for (String g : now) {
            if (!wanted.contains(g)) {
                out.add(new GroupMemberRemovedRecord(g, c.user(), ctx.at()));
            }
        }
        for (String g : wanted) {
            if (!now.contains(g)) {
                out.add(new GroupMemberAddedRecord(g, c.user(), ctx.at()));
            }
        }
        return CommandResult.done(out);
    }

    static CommandResult deleteGroup(ClusterImage image, DeleteGroupCommand c, CommandContext ctx) {
        group(image, c.name());
        List<MeshRecord> out = new ArrayList<>();
        for (GrantImage g : image.accounts().grants()) {
            if (c.name().equals(g.group())) {
                out.add(new GrantRevokedRecord(g.id(), ctx.at()));
            }
        }
        out.add(new GroupDeletedRecord(c.name(), ctx.at()));
        return CommandResult.done(out);
    }

    static CommandResult createGrant(ClusterImage image, CreateGrantCommand c, CommandContext ctx) {
        TemplateControl.template(image, c.template());
        boolean toUser = c.user() != null && !c.user().isBlank();
        boolean toGroup = c.group() != null && !c.group().isBlank();
        if (toUser == toGroup) {
            throw Check.invalid("a grant names exactly one of 'user' or 'group'");
        }
        if (toUser) {
            user(image, c.user());
        } else {
            group(image, c.group());
        }
        for (GrantImage g : image.accounts().grantsOf(c.template())) {
            if (toUser ? c.user().equals(g.user()) : c.group().equals(g.group())) {
                throw Check.conflict("grant '" + g.id() + "' already gives " + (toUser ? "user '" + c.user() : "group '" + c.group())
                        + "' template '" + c.template() + "'");
            }
        }
        String id = ctx.id("g", 0);
        return CommandResult.of(new Reply.Created(id), new GrantCreatedRecord(id, c.template(), toUser ? c.user() : null,
                toGroup ? c.group() : null, ctx.at()));
    }

    static CommandResult revokeGrant(ClusterImage image, RevokeGrantCommand c, CommandContext ctx) {
        if (c.id() == null || image.accounts().grant(c.id()).isEmpty()) {
            throw Check.notFound("grant " + Check.quote(c.id()) + " does not exist");
        }
        return CommandResult.of(Reply.DONE, new GrantRevokedRecord(c.id(), ctx.at()));
    }

    static CommandResult audit(ClusterImage image, RecordAuditCommand c, CommandContext ctx) {
        Check.notBlank("audit actor", c.actor());
        Check.notBlank("audit action", c.action());
        long seq = image.audit().lastSeq() + 1;
        return CommandResult.of(Reply.DONE, new AuditEventRecord(seq, c.actor(), c.action(), nz(c.target()), nz(c.from()),
                c.ok(), clip(nz(c.detail())), ctx.at()));
    }

    static CommandResult revokeToken(ClusterImage image, RevokeTokenCommand c, CommandContext ctx) {
        Check.notBlank("token id", c.tokenId());
        if (image.audit().revoked(c.tokenId()) || c.expiresAt() <= ctx.at()) {
            return CommandResult.done(List.of());
        }
        return CommandResult.of(Reply.DONE, new TokenRevokedRecord(c.tokenId(), c.expiresAt(), ctx.at()));
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static String clip(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500);
    }

    static UserImage user(ClusterImage image, String name) {
        return (name == null ? Optional.<UserImage>empty() : image.accounts().user(name))
                .orElseThrow(() -> Check.notFound("user " + Check.quote(name) + " does not exist"));
    }

    private static void group(ClusterImage image, String name) {
        if (name == null || !image.accounts().groupExists(name)) {
            throw Check.notFound("group " + Check.quote(name) + " does not exist");
        }
    }

    private static Set<String> members(ClusterImage image, List<String> names) {
        Set<String> out = new TreeSet<>();
        for (String m : names) {
            user(image, m);
            out.add(m);
        }
        return out;
    }

    private static long admins(ClusterImage image) {
        return image.accounts().users().stream().filter(u -> u.role() == Role.ADMIN).count();
    }

    private static String site(String s) {
        return s == null ? "" : s.trim();
    }

}
