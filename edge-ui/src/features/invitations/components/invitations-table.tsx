import { MailPlus } from "lucide-react";

import type { Invitation } from "@/api/generated/Invitation";
import type { Role } from "@/api/generated/Role";
import { ConfirmIconButton } from "@/components/confirm-dialog";
import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Badge } from "@/components/ui/badge";
import { useInvitations } from "@/features/invitations/api/get-invitations";
import { useRevokeInvitation } from "@/features/invitations/api/revoke-invitation";
import { can, roleLabel } from "@/lib/authorization";
import { formatDateTime, formatRelative } from "@/lib/format";

/**
 * Pending invitations, with revoking for those who may. Each link is the
 * credential; the email is only a note of whom it was meant for.
 */
export function InvitationsTable({ org, role }: { org: string; role: Role | undefined }) {
  const invitations = useInvitations(org);
  const revoke = useRevokeInvitation(org);
  const mayWrite = can(role, "members", "write");

  if (invitations.isPending) return <ListSkeleton label="Loading invitations…" />;
  if (invitations.isError)
    return (
      <ErrorState
        title="Could not load the invitations."
        error={invitations.error}
        onRetry={() => void invitations.refetch()}
      />
    );
  if (invitations.data.length === 0)
    return (
      <EmptyState icon={MailPlus} title="No pending invitations">
        {mayWrite ? "Invite people to give them access to this organization." : "Nobody has been invited yet."}
      </EmptyState>
    );

  const columns: DataColumn<Invitation>[] = [
    {
      id: "for",
      header: "Meant for",
      cell: (invitation) =>
        invitation.email ? (
          <span className="font-medium">{invitation.email}</span>
        ) : (
          <span className="font-normal text-muted-foreground">No note</span>
        ),
    },
    { id: "role", header: "Role", cell: (invitation) => <Badge variant="outline">{roleLabel(invitation.role)}</Badge> },
    { id: "invited-by", header: "Invited by", cell: (invitation) => invitation.created_by.name },
    {
      id: "expires",
      header: "Expires",
      cell: (invitation) => (
        <time dateTime={invitation.expires_at} title={formatDateTime(invitation.expires_at)}>
          {formatRelative(invitation.expires_at)}
        </time>
      ),
    },
  ];

  return (
    <DataTable
      label="Pending invitations"
      caption="Anyone with one of these links can join as its role until it expires or is used; the email is only a note."
      columns={columns}
      rows={invitations.data}
      rowKey={(invitation) => invitation.id}
      actions={
        mayWrite
          ? (invitation) => (
              <ConfirmIconButton
                title="Revoke this invitation?"
                description="Its link stops working at once. People who already joined stay members."
                confirmLabel="Revoke invitation"
                onConfirm={() => {
                  revoke.mutate(invitation);
                }}
                label={
                  invitation.email
                    ? `Revoke invitation meant for ${invitation.email}`
                    : `Revoke ${roleLabel(invitation.role).toLowerCase()} invitation`
                }
                disabled={revoke.isPending}
              />
            )
          : undefined
      }
    />
  );
}
