import { createRoute } from "@tanstack/react-router";

import { organizationRoute } from "@/app/routes/organization/organization";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { MembersTable } from "@/features/members/components/members-table";
import { useMe, useMembership } from "@/lib/auth";
import { deniedReason } from "@/lib/authorization";
import { pageHead } from "@/lib/page-title";

export const membersRoute = createRoute({
  getParentRoute: () => organizationRoute,
  path: "members",
  head: () => pageHead("Members", "Organization"),
  component: MembersPage,
});

function MembersPage() {
  const { org } = membersRoute.useParams();
  const { user } = useMe();
  const role = useMembership(org)?.role;
  const denied = deniedReason(role, "members", "write");

  return (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Members
        </CardTitle>
        <CardDescription>{denied ?? "Change roles or remove people. The owner cannot be changed."}</CardDescription>
      </CardHeader>
      <CardContent>
        <MembersTable org={org} role={role} currentUserId={user.id} />
      </CardContent>
    </Card>
  );
}
