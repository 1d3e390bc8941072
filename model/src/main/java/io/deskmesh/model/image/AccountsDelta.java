package io.deskmesh.model.image;

import io.deskmesh.model.record.GrantCreatedRecord;
import io.deskmesh.model.record.GrantRevokedRecord;
import io.deskmesh.model.record.GroupCreatedRecord;
import io.deskmesh.model.record.GroupDeletedRecord;
import io.deskmesh.model.record.GroupMemberAddedRecord;
import io.deskmesh.model.record.GroupMemberRemovedRecord;
import io.deskmesh.model.record.UserCreatedRecord;
import io.deskmesh.model.record.UserDeletedRecord;
import io.deskmesh.model.record.UserUpdatedRecord;
import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

/** Replays account records onto an {@link AccountsImage}. Not thread-safe: one replaying thread. */
final class AccountsDelta {
    private TreePMap<String, UserImage> users;
    private TreePMap<String, TreePSet<String>> groups;
    private TreePMap<String, TreePSet<String>> userGroups;
    private TreePMap<String, GrantImage> grants;
    private TreePMap<String, TreePSet<String>> grantsByTemplate;

    private final AccountsImage base;

    AccountsDelta(AccountsImage base) {
        this.base = base;
        users = base.users;
        groups = base.groups;
        userGroups = base.userGroups;
        grants = base.grants;
        grantsByTemplate = base.grantsByTemplate;
    }

    /** The accounts after replay; the base image itself when nothing changed, so untouched parts stay shared. */
    AccountsImage apply() {
        if (users == base.users && groups == base.groups && userGroups == base.userGroups && grants == base.grants
                && grantsByTemplate == base.grantsByTemplate) {
            return base;
        }
        return new AccountsImage(users, groups, userGroups, grants, grantsByTemplate);
    }

    void replay(UserCreatedRecord r) {
        if (users.containsKey(r.name())) {
            throw new ReplayException("user '" + r.name() + "' created twice");
        }
        users = users.plus(r.name(), new UserImage(r.name(), r.passwordHash(), r.role(), site(r.site()), r.at()));
    }

    void replay(UserUpdatedRecord r) {
        UserImage old = user(r.name());
        users = users.plus(r.name(), new UserImage(r.name(), r.passwordHash(), r.role(), site(r.site()), old.createdAt()));
    }

    void replay(UserDeletedRecord r) {
        user(r.name());
        if (userGroups.containsKey(r.name()) || grants.values().stream().anyMatch(g -> r.name().equals(g.user()))) {
            throw new ReplayException("user '" + r.name() + "' deleted while it still has groups or grants");
        }
        users = users.minus(r.name());
    }

    void replay(GroupCreatedRecord r) {
        if (groups.containsKey(r.name())) {
            throw new ReplayException("group '" + r.name() + "' created twice");
        }
        groups = groups.plus(r.name(), TreePSet.empty());
    }

    void replay(GroupDeletedRecord r) {
        TreePSet<String> members = group(r.name());
        for (String member : members) {
            userGroups = PMaps.removeFromSet(userGroups, member, r.name());
        }
        groups = groups.minus(r.name());
    }

    void replay(GroupMemberAddedRecord r) {
        TreePSet<String> members = group(r.group());
        user(r.user());
        groups = groups.plus(r.group(), members.plus(r.user()));
        userGroups = PMaps.addToSet(userGroups, r.user(), r.group());
    }

    void replay(GroupMemberRemovedRecord r) {
        TreePSet<String> members = group(r.group());
        groups = groups.plus(r.group(), members.minus(r.user()));
        userGroups = PMaps.removeFromSet(userGroups, r.user(), r.group());
    }

    void replay(GrantCreatedRecord r) {
        if (grants.containsKey(r.id())) {
            throw new ReplayException("grant '" + r.id() + "' created twice");
        }
        if ((r.user() == null) == (r.group() == null)) {
            throw new ReplayException("grant '" + r.id() + "' must name exactly one of user or group");
        }
        grants = grants.plus(r.id(), new GrantImage(r.id(), r.template(), r.user(), r.group(), r.at()));
        grantsByTemplate = PMaps.addToSet(grantsByTemplate, r.template(), r.id());
    }

    void replay(GrantRevokedRecord r) {
        GrantImage g = grants.get(r.id());
        if (g == null) {
            throw new ReplayException("record names unknown grant '" + r.id() + "'");
        }
        grants = grants.minus(r.id());
        grantsByTemplate = PMaps.removeFromSet(grantsByTemplate, g.template(), r.id());
    }

    private static String site(String site) {
        return site == null ? "" : site;
    }

    private UserImage user(String name) {
        UserImage u = users.get(name);
        if (u == null) {
            throw new ReplayException("record names unknown user '" + name + "'");
        }
        return u;
    }

    private TreePSet<String> group(String name) {
        TreePSet<String> g = groups.get(name);
        if (g == null) {
            throw new ReplayException("record names unknown group '" + name + "'");
        }
        return g;
    }
}
