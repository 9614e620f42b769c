import { ShieldCheck, Users } from "lucide-react";

import type { Member } from "@/api/generated/Member";
import type { Role } from "@/api/generated/Role";
import { ConfirmIconButton } from "@/components/confirm-dialog";
import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { WithReason } from "@/components/with-reason";
import { Badge } from "@/components/ui/badge";
import { useMembers } from "@/features/members/api/get-members";
import { useRemoveMember } from "@/features/members/api/remove-member";
import { useUpdateMemberRole } from "@/features/members/api/update-member-role";
import { MemberRoleSelect } from "@/features/members/components/member-role-select";
import { deniedReason } from "@/lib/authorization";
import { formatDate } from "@/lib/format";

type MembersTableProps = {
  org: string;
  /** The signed-in user's role here. */
  role: Role | undefined;
  /** The signed-in user's id, to keep them from changing themselves here. */
  currentUserId: string;
};

/** Everyone in the organization, with role changes and removal for those who may. */
export function MembersTable({ org, role, currentUserId }: MembersTableProps) {
  const members = useMembers(org);
  const updateRole = useUpdateMemberRole(org);
  const remove = useRemoveMember(org);
  const writeDenied = deniedReason(role, "members", "write");

  if (members.isPending) return <ListSkeleton label="Loading members…" />;
  if (members.isError)
    return (
      <ErrorState title="Could not load the members." error={members.error} onRetry={() => void members.refetch()} />
    );
  if (members.data.length === 0)
    return <EmptyState icon={Users} title="No members yet" />;

  function reasonFor(member: Member): string | undefined {
    if (writeDenied) return writeDenied;
    if (member.role === "owner") return "The owner's role cannot be changed, and the owner cannot be removed.";
    if (member.user_id === currentUserId) return "You cannot change your own role or remove yourself.";
    return undefined;
  }

  const columns: DataColumn<Member>[] = [
    {
      id: "member",
      header: "Member",
      cell: (member) => (
        <>
          <div className="font-medium">
            {member.name}
            {member.user_id === currentUserId ? (
              <span className="ml-2 text-xs font-normal text-muted-foreground">(you)</span>
            ) : null}
          </div>
          <div className="text-xs font-normal text-muted-foreground">{member.email}</div>
        </>
      ),
    },
    {
      id: "role",
      header: "Role",
      cell: (member) => (
        <MemberRoleSelect
          member={member}
          disabledReason={reasonFor(member)}
          pending={updateRole.isPending && updateRole.variables.member.user_id === member.user_id}
          onChange={(next) => {
            updateRole.mutate({ member, role: next });
          }}
        />
      ),
    },
    {
      id: "two-factor",
      header: "Two-factor",
      cell: (member) =>
        member.totp_enabled ? (
          <Badge variant="secondary">
            <ShieldCheck aria-hidden="true" />
            On
          </Badge>
        ) : (
          <span className="text-sm text-muted-foreground">Off</span>
        ),
    },
    { id: "joined", header: "Joined", className: "text-muted-foreground", cell: (member) => formatDate(member.joined_at) },
  ];

  return (
    <DataTable
      label="Members"
      columns={columns}
      rows={members.data}
      rowKey={(member) => member.user_id}
      actions={
        writeDenied
          ? undefined
          : (member) => {
              const reason = reasonFor(member);
              return (
                <WithReason reason={reason}>
                  <ConfirmIconButton
                    title={`Remove ${member.name}?`}
                    description={`${member.name} (${member.email}) loses access to this organization at once. You can invite them again later.`}
                    confirmLabel="Remove member"
                    onConfirm={() => {
                      remove.mutate(member);
                    }}
                    label={`Remove ${member.name}`}
                    disabled={Boolean(reason) || remove.isPending}
                  />
                </WithReason>
              );
            }
      }
    />
  );
}
