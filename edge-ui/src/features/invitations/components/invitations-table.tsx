import { MailPlus } from "lucide-react";

import type { Role } from "@/api/generated/Role";
import { ConfirmIconButton } from "@/components/confirm-dialog";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Badge } from "@/components/ui/badge";
import {
  Table,
  TableBody,
  TableCaption,
  TableCell,
  TableHead,
  TableHeader,
  TableRow,
} from "@/components/ui/table";
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

  return (
    <Table>
      <TableCaption>
        Anyone with one of these links can join as its role until it expires or is used; the email is only a note.
      </TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Meant for</TableHead>
          <TableHead>Role</TableHead>
          <TableHead className="hidden md:table-cell">Invited by</TableHead>
          <TableHead>Expires</TableHead>
          {mayWrite ? (
            <TableHead>
              <span className="sr-only">Actions</span>
            </TableHead>
          ) : null}
        </TableRow>
      </TableHeader>
      <TableBody>
        {invitations.data.map((invitation) => {
          const label = invitation.email ?? "No note";
          const made = formatRelative(invitation.created_at);
          const which = invitation.email
            ? `the invitation meant for ${invitation.email}`
            : `the ${roleLabel(invitation.role).toLowerCase()} invitation made ${made}`;
          return (
            <TableRow key={invitation.id}>
              <TableCell>
                <span className={invitation.email ? "font-medium" : "text-muted-foreground"}>{label}</span>
                <span className="block text-xs text-muted-foreground">
                  Made{" "}
                  <time dateTime={invitation.created_at} title={formatDateTime(invitation.created_at)}>
                    {made}
                  </time>
                </span>
              </TableCell>
              <TableCell>
                <Badge variant="outline">{roleLabel(invitation.role)}</Badge>
              </TableCell>
              <TableCell className="hidden md:table-cell">{invitation.created_by.name}</TableCell>
              <TableCell>
                <time dateTime={invitation.expires_at}>{formatExpiry(invitation.expires_at)}</time>
              </TableCell>
              {mayWrite ? (
                <TableCell className="text-right">
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
                </TableCell>
              ) : null}
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}
