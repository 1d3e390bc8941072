package io.deskmesh.model.image;

import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/** Users, groups, memberships and grants, with the indexes entitlement checks need. Immutable and thread-safe. */
public final class AccountsImage {
    public static final AccountsImage EMPTY = new AccountsImage(TreePMap.empty(), TreePMap.empty(), TreePMap.empty(),
            TreePMap.empty(), TreePMap.empty());

    final TreePMap<String, UserImage> users;
    /** group name → members; every group has an entry, possibly empty. */
    final TreePMap<String, TreePSet<String>> groups;
    /** user → groups it belongs to; only users with at least one group. */
    final TreePMap<String, TreePSet<String>> userGroups;
    final TreePMap<String, GrantImage> grants;
    /** template → ids of its grants. */
    final TreePMap<String, TreePSet<String>> grantsByTemplate;

    AccountsImage(TreePMap<String, UserImage> users, TreePMap<String, TreePSet<String>> groups,
                  TreePMap<String, TreePSet<String>> userGroups, TreePMap<String, GrantImage> grants,
                  TreePMap<String, TreePSet<String>> grantsByTemplate) {
        this.users = users;
        this.groups = groups;
        this.userGroups = userGroups;
        this.grants = grants;
        this.grantsByTemplate = grantsByTemplate;
    }

    public Optional<UserImage> user(String name) {
        return Optional.ofNullable(users.get(name));
    }

    public Collection<UserImage> users() {
        return users.values();
    }

    public boolean groupExists(String name) {
        return groups.containsKey(name);
    }

    /** Group names, sorted. */
    public Set<String> groups() {
        return groups.keySet();
    }

    /** Members of a group, sorted; empty when the group does not exist. */
    public Set<String> members(String group) {
        return groups.getOrDefault(group, TreePSet.empty());
    }

    /** Groups a user belongs to, sorted. */
    public Set<String> groupsOf(String user) {
        return userGroups.getOrDefault(user, TreePSet.empty());
    }

    public Optional<GrantImage> grant(String id) {
        return Optional.ofNullable(grants.get(id));
    }

    public Collection<GrantImage> grants() {
        return grants.values();
    }

    /** Grants of one template, sorted by id. */
    public java.util.List<GrantImage> grantsOf(String template) {
        return grantsByTemplate.getOrDefault(template, TreePSet.empty()).stream().map(grants::get).toList();
    }

    /** Whether a user may use a template, directly or through a group. */
    public boolean entitled(String user, String template) {
        TreePSet<String> ids = grantsByTemplate.get(template);
        if (ids == null || !users.containsKey(user)) {
            return false;
        }
        Set<String> mine = groupsOf(user);
        for (String id : ids) {
            GrantImage g = grants.get(id);
            if (user.equals(g.user()) || (g.group() != null && mine.contains(g.group()))) {
                return true;
            }
        }
        return false;
    }

    /** The users entitled to a template, sorted. */
    public SortedSet<String> entitledUsers(String template) {
        SortedSet<String> out = new TreeSet<>();
        for (GrantImage g : grantsOf(template)) {
            if (g.user() != null) {
                out.add(g.user());
            } else {
                out.addAll(members(g.group()));
            }
        }
        return out;
    }

    /** Templates a user may use, sorted. */
    public SortedSet<String> entitlements(String user) {
        SortedSet<String> out = new TreeSet<>();
        for (String template : grantsByTemplate.keySet()) {
            if (entitled(user, template)) {
                out.add(template);
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AccountsImage a && users.equals(a.users) && groups.equals(a.groups)
                && grants.equals(a.grants);
    }

    @Override
    public int hashCode() {
        return users.hashCode() * 31 + grants.hashCode();
    }
}
