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
import { formatDateTime, formatExpiry, formatRelative } from "@/lib/format";

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
      cell: (invitation) => (
        <>
          <span className={invitation.email ? "font-medium" : "font-normal text-muted-foreground"}>
            {invitation.email ?? "No note"}
          </span>
          <span className="block text-xs font-normal text-muted-foreground">
            Made{" "}
            <time dateTime={invitation.created_at} title={formatDateTime(invitation.created_at)}>
              {formatRelative(invitation.created_at)}
            </time>
          </span>
        </>
      ),
    },
    { id: "role", header: "Role", cell: (invitation) => <Badge variant="outline">{roleLabel(invitation.role)}</Badge> },
    { id: "invited-by", header: "Invited by", cell: (invitation) => invitation.created_by.name },
    {
      id: "expires",
      header: "Expires",
      cell: (invitation) => <time dateTime={invitation.expires_at}>{formatExpiry(invitation.expires_at)}</time>,
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
          ? (invitation) => {
              const which = whichInvitation(invitation);
              return (
                <ConfirmIconButton
                  title="Revoke this invitation?"
                  description={`The link of ${which} stops working at once. People who already joined stay members.`}
                  confirmLabel="Revoke invitation"
                  onConfirm={() => {
                    revoke.mutate(invitation);
                  }}
                  label={`Revoke ${which}`}
                  disabled={revoke.isPending}
                />
              );
            }
          : undefined
      }
    />
  );
}

/** Names an invitation for its revoke button and dialog: by its note, else by its role and age. */
function whichInvitation(invitation: Invitation): string {
  return invitation.email
    ? `the invitation meant for ${invitation.email}`
    : `the ${roleLabel(invitation.role).toLowerCase()} invitation made ${formatRelative(invitation.created_at)}`;
}
