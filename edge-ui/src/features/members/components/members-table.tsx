import { ShieldCheck, Users } from "lucide-react";

import type { Member } from "@/api/generated/Member";
import type { Role } from "@/api/generated/Role";
import { ConfirmIconButton } from "@/components/confirm-dialog";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { WithReason } from "@/components/with-reason";
import { Badge } from "@/components/ui/badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
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

  return (
    <Table>
      <TableHeader>
        <TableRow>
          <TableHead>Member</TableHead>
          <TableHead>Role</TableHead>
          <TableHead className="hidden sm:table-cell">Two-factor</TableHead>
          <TableHead className="hidden md:table-cell">Joined</TableHead>
          <TableHead>
            <span className="sr-only">Actions</span>
          </TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {members.data.map((member) => {
          const reason = reasonFor(member);
          const busy = updateRole.isPending && updateRole.variables.member.user_id === member.user_id;
          return (
            <TableRow key={member.user_id}>
              <TableCell>
                <div className="font-medium">
                  {member.name}
                  {member.user_id === currentUserId ? (
                    <span className="ml-2 text-xs font-normal text-muted-foreground">(you)</span>
                  ) : null}
                </div>
                <div className="text-xs text-muted-foreground">{member.email}</div>
              </TableCell>
              <TableCell>
                <MemberRoleSelect
                  member={member}
                  disabledReason={reason}
                  pending={busy}
                  onChange={(next) => {
                    updateRole.mutate({ member, role: next });
                  }}
                />
              </TableCell>
              <TableCell className="hidden sm:table-cell">
                {member.totp_enabled ? (
                  <Badge variant="secondary">
                    <ShieldCheck aria-hidden="true" />
                    On
                  </Badge>
                ) : (
                  <span className="text-sm text-muted-foreground">Off</span>
                )}
              </TableCell>
              <TableCell className="hidden text-muted-foreground md:table-cell">{formatDate(member.joined_at)}</TableCell>
              <TableCell className="text-right">
                {writeDenied ? null : (
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
                )}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
