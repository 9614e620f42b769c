import { createRoute } from "@tanstack/react-router";

import { organizationRoute } from "@/app/routes/organization/organization";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { CreateInvitationDialog } from "@/features/invitations/components/create-invitation-dialog";
import { InvitationsTable } from "@/features/invitations/components/invitations-table";
import { useMembership } from "@/lib/auth";
import { deniedReason } from "@/lib/authorization";
import { pageHead } from "@/lib/page-title";

export const invitationsRoute = createRoute({
  getParentRoute: () => organizationRoute,
  path: "invitations",
  head: () => pageHead("Invitations", "Organization"),
  component: InvitationsPage,
});

function InvitationsPage() {
  const { org } = invitationsRoute.useParams();
  const role = useMembership(org)?.role;
  const denied = deniedReason(role, "members", "write");

  return (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Pending invitations
        </CardTitle>
        <CardDescription>{denied ??
            "Links that have not been used yet. Anyone with a link can join as its role until it expires or is used, so send links privately; revoke one to stop it working."}</CardDescription>
        <CardAction>
          <CreateInvitationDialog org={org} disabledReason={denied} />
        </CardAction>
      </CardHeader>
      <CardContent>
        <InvitationsTable org={org} role={role} />
      </CardContent>
    </Card>
  );
}
