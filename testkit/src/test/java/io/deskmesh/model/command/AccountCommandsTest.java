package io.deskmesh.model.command;

import io.deskmesh.model.record.GrantCreatedRecord;
import io.deskmesh.model.record.GrantRevokedRecord;
import io.deskmesh.model.record.GroupDeletedRecord;
import io.deskmesh.model.record.GroupMemberAddedRecord;
import io.deskmesh.model.record.GroupMemberRemovedRecord;
import io.deskmesh.model.record.Role;
import io.deskmesh.model.record.SessionEndedRecord;
import io.deskmesh.model.record.UserDeletedRecord;
import io.deskmesh.model.record.UserUpdatedRecord;
import io.deskmesh.model.record.VmRetiredRecord;
import io.deskmesh.model.record.VmState;
import io.deskmesh.testkit.GridFixture;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AccountCommandsTest {
    @Test
    void createUserValidatesNameHashRoleAndUniqueness() {
        GridFixture g = GridFixture.grid();
        g.refused(new CreateUserCommand("ann smith", "h", Role.USER, null), ErrorCode.INVALID,
                "user name 'ann smith' is invalid");
        g.refused(new CreateUserCommand("_ann", "h", Role.USER, null), ErrorCode.INVALID, "'_ann'");
        g.refused(new CreateUserCommand("a".repeat(65), "h", Role.USER, null), ErrorCode.INVALID, "1-64");
        g.refused(new CreateUserCommand("ann", " ", Role.USER, null), ErrorCode.INVALID, "password hash must not be empty");
        g.refused(new CreateUserCommand("ann", "h", null, null), ErrorCode.INVALID, "role is missing");

        assertThat(g.ok(new CreateUserCommand("Ann.Smith@example.com", "h", Role.USER, "  site-b "))).isEqualTo(
                new Reply.Created("Ann.Smith@example.com"));
        assertThat(g.clusterImage().accounts().user("Ann.Smith@example.com").orElseThrow().site()).isEqualTo("site-b");
        g.refused(new CreateUserCommand("Ann.Smith@example.com", "h2", Role.ADMIN, null), ErrorCode.CONFLICT,
                "user 'Ann.Smith@example.com' already exists");
    }

    @Test
    void updateUserKeepsUnsetValuesAndIsANoOpWhenNothingChanges() {
        GridFixture g = GridFixture.grid().admin("root").user("ann");
        g.run(new UpdateUserCommand("ann", null, null, null));
        assertThat(g.lastRecords()).isEmpty();
        g.run(new UpdateUserCommand("ann", "new-hash", null, null));
        assertThat(g.lastRecords()).containsExactly(new UserUpdatedRecord("ann", "new-hash", Role.USER, GridFixture.DEFAULT_SITE,
                g.now()));
        g.run(new UpdateUserCommand("ann", null, Role.ADMIN, "site-z"));
        assertThat(g.clusterImage().accounts().user("ann").orElseThrow().role()).isEqualTo(Role.ADMIN);
        assertThat(g.clusterImage().accounts().user("ann").orElseThrow().passwordHash()).isEqualTo("new-hash");
        g.refused(new UpdateUserCommand("nope", "h", null, null), ErrorCode.NOT_FOUND, "user 'nope' does not exist");
        g.refused(new UpdateUserCommand("ann", " ", null, null), ErrorCode.INVALID, "password hash must not be empty");
    }

    @Test
    void theLastAdminCannotBeDemotedOrDeleted() {
        GridFixture g = GridFixture.grid().admin("root").user("ann");
        g.refused(new UpdateUserCommand("root", null, Role.USER, null), ErrorCode.CONFLICT,
                "'root' is the last admin; make another admin first");
        g.refused(new DeleteUserCommand("root"), ErrorCode.CONFLICT, "'root' is the last admin and cannot be deleted");
        assertThat(g.clusterImage().accounts().user("root").orElseThrow().role()).isEqualTo(Role.ADMIN);

        g.run(new UpdateUserCommand("ann", null, Role.ADMIN, null));
        g.run(new UpdateUserCommand("root", null, Role.USER, null));
        g.refused(new DeleteUserCommand("ann"), ErrorCode.CONFLICT, "'ann' is the last admin");
        g.run(new DeleteUserCommand("root"));
        assertThat(g.clusterImage().accounts().user("root")).isEmpty();
        g.refused(new DeleteUserCommand("root"), ErrorCode.NOT_FOUND, "user 'root' does not exist");
    }

    @Test
    void deletingAUserEndsItsSessionsRemovesMembershipsAndGrantsAndRetiresItsOwnDesktop() {
        GridFixture g = GridFixture.grid().server("s1").image("win11", 1, 1L << 30, "s1")
                .template("office", t -> t.baseImage("win11").persistent())
                .template("kiosk", t -> t.baseImage("win11"))
                .admin("root").user("ann").user("bob").group("fin", "ann", "bob")
                .grant("office", "ann").grant("kiosk", "ann").grantGroup("kiosk", "fin")
                .allocate("office", "s1", 2).allocate("kiosk", "s1", 2).buildAll();
        String grantOffice = g.clusterImage().accounts().grantsOf("office").get(0).id();
        Reply.Reserved office = g.login("ann", "office");
        g.endSession(office.sessionId());
        Reply.Reserved kiosk = g.login("ann", "kiosk");

        g.run(new DeleteUserCommand("ann"));
        assertThat(g.lastRecords()).contains(
                new SessionEndedRecord(kiosk.sessionId(), "user deleted", g.now()),
                new GroupMemberRemovedRecord("fin", "ann", g.now()),
                new GrantRevokedRecord(grantOffice, g.now()),
                new VmRetiredRecord(office.vmId(), "owner 'ann' deleted", g.now()));
        assertThat(g.lastRecords()).last().isEqualTo(new UserDeletedRecord("ann", g.now()));
        assertThat(g.vm(kiosk.vmId()).state()).as("the non-persistent desktop is dirty").isEqualTo(VmState.DIRTY);
        assertThat(g.vm(office.vmId()).state()).isEqualTo(VmState.RETIRING);
        assertThat(g.clusterImage().accounts().members("fin")).containsExactly("bob");
        assertThat(g.clusterImage().accounts().grants()).extracting(gr -> gr.group()).containsExactly("fin");
        assertThat(g.clusterImage().sessions().size()).isZero();
    }

    @Test
    void groupsAreValidatedAndMembersSetAsADifference() {
        GridFixture g = GridFixture.grid().user("ann").user("bob").user("cid");
        g.refused(new CreateGroupCommand("Finance Team", List.of()), ErrorCode.INVALID, "group name 'Finance Team' is invalid");
        g.refused(new CreateGroupCommand("fin", List.of("ann", "zed")), ErrorCode.NOT_FOUND, "user 'zed' does not exist");
        assertThat(g.clusterImage().accounts().groupExists("fin")).isFalse();

        g.ok(new CreateGroupCommand("fin", List.of("bob", "ann", "bob")));
        assertThat(g.lastReply()).isEqualTo(new Reply.Created("fin"));
        assertThat(g.clusterImage().accounts().members("fin")).containsExactly("ann", "bob");
        g.refused(new CreateGroupCommand("fin", null), ErrorCode.CONFLICT, "group 'fin' already exists");

        g.members("fin", "bob", "cid");
        assertThat(g.lastRecords()).containsExactly(new GroupMemberRemovedRecord("fin", "ann", g.now()),
                new GroupMemberAddedRecord("fin", "cid", g.now()));
        g.members("fin", "cid", "bob");
        assertThat(g.lastRecords()).isEmpty();
        assertThat(g.clusterImage().accounts().groupsOf("cid")).containsExactly("fin");
        g.refused(new SetGroupMembersCommand("nope", List.of()), ErrorCode.NOT_FOUND, "group 'nope' does not exist");
        g.refused(new SetGroupMembersCommand("fin", List.of("zed")), ErrorCode.NOT_FOUND, "user 'zed'");
        g.members("fin");
        assertThat(g.clusterImage().accounts().members("fin")).isEmpty();
        assertThat(g.clusterImage().accounts().groupExists("fin")).isTrue();
    }

    @Test
    void aUsersGroupsAreSetAsADifferenceAtApplyTime() {
        GridFixture g = GridFixture.grid().user("ann").user("bob").group("fin", "bob").group("ops", "ann").group("dev");
        g.refused(new SetUserGroupsCommand("zed", List.of("fin")), ErrorCode.NOT_FOUND, "user 'zed' does not exist");
        g.refused(new SetUserGroupsCommand("ann", List.of("fin", "nope")), ErrorCode.NOT_FOUND, "group 'nope' does not exist");
        assertThat(g.clusterImage().accounts().groupsOf("ann")).containsExactly("ops");

        g.run(new SetUserGroupsCommand("ann", List.of("fin", "dev", "fin")));
        assertThat(g.lastRecords()).containsExactly(new GroupMemberRemovedRecord("ops", "ann", g.now()),
                new GroupMemberAddedRecord("dev", "ann", g.now()), new GroupMemberAddedRecord("fin", "ann", g.now()));
        assertThat(g.clusterImage().accounts().members("fin")).as("bob stays").containsExactly("ann", "bob");
        g.run(new SetUserGroupsCommand("ann", List.of("dev", "fin")));
        assertThat(g.lastRecords()).isEmpty();
        g.run(new SetUserGroupsCommand("ann", null));
        assertThat(g.clusterImage().accounts().groupsOf("ann")).isEmpty();
        assertThat(g.clusterImage().accounts().groupExists("ops")).isTrue();
    }

    @Test
    void deletingAGroupRevokesItsGrants() {
        GridFixture g = GridFixture.grid().server("s1").template("office").user("ann").group("fin", "ann")
                .grantGroup("office", "fin");
        String grant = g.lastCreatedId();
        assertThat(g.clusterImage().accounts().entitled("ann", "office")).isTrue();
        g.run(new DeleteGroupCommand("fin"));
        assertThat(g.lastRecords()).containsExactly(new GrantRevokedRecord(grant, g.now()),
                new GroupDeletedRecord("fin", g.now()));
        assertThat(g.clusterImage().accounts().entitled("ann", "office")).isFalse();
        assertThat(g.clusterImage().accounts().groupsOf("ann")).isEmpty();
        g.refused(new DeleteGroupCommand("fin"), ErrorCode.NOT_FOUND, "group 'fin' does not exist");
    }

    @Test
    void aGrantNamesExactlyOneOfUserOrGroupAndIsNotDuplicated() {
        GridFixture g = GridFixture.grid().server("s1").template("office").user("ann").group("fin");
        g.refused(new CreateGrantCommand("office", "ann", "fin"), ErrorCode.INVALID, "exactly one of 'user' or 'group'");
        g.refused(new CreateGrantCommand("office", null, null), ErrorCode.INVALID, "exactly one of 'user' or 'group'");
        g.refused(new CreateGrantCommand("office", " ", ""), ErrorCode.INVALID, "exactly one");
        g.refused(new CreateGrantCommand("nope", "ann", null), ErrorCode.NOT_FOUND, "template 'nope' does not exist");
        g.refused(new CreateGrantCommand("office", "zed", null), ErrorCode.NOT_FOUND, "user 'zed' does not exist");
        g.refused(new CreateGrantCommand("office", null, "ops"), ErrorCode.NOT_FOUND, "group 'ops' does not exist");

        long index = g.index() + 1;
        g.grant("office", "ann");
        String id = "g-" + Long.toString(index, 36) + "-0";
        assertThat(g.lastReply()).isEqualTo(new Reply.Created(id));
        assertThat(g.lastRecords()).containsExactly(new GrantCreatedRecord(id, "office", "ann", null, g.now()));
        g.refused(new CreateGrantCommand("office", "ann", null), ErrorCode.CONFLICT,
                "grant '" + id + "' already gives user 'ann' template 'office'");

        g.grantGroup("office", "fin");
        String groupGrant = g.lastCreatedId();
        g.refused(new CreateGrantCommand("office", null, "fin"), ErrorCode.CONFLICT,
                "grant '" + groupGrant + "' already gives group 'fin' template 'office'");

        g.run(new RevokeGrantCommand(id));
        assertThat(g.clusterImage().accounts().grant(id)).isEmpty();
        g.refused(new RevokeGrantCommand(id), ErrorCode.NOT_FOUND, "grant '" + id + "' does not exist");
        g.grant("office", "ann");
        assertThat(g.lastCreatedId()).as("ids are never reused").isNotEqualTo(id);
    }
}
