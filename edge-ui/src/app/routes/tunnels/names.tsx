import { createRoute } from "@tanstack/react-router";

import { tunnelsRoute } from "@/app/routes/tunnels/tunnels";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Separator } from "@/components/ui/separator";
import { useMembers } from "@/features/members/api/get-members";
import { ReserveNameForm } from "@/features/tunnels/components/reserve-name-form";
import { ReservedNamesTable } from "@/features/tunnels/components/reserved-names-table";
import { useMe, useMembership } from "@/lib/auth";
import { deniedReason } from "@/lib/authorization";
import { pageHead } from "@/lib/page-title";

/** `/o/$org/tunnels/names`: tunnel names kept for one member each. */
export const tunnelNamesRoute = createRoute({
  getParentRoute: () => tunnelsRoute,
  path: "names",
  head: () => pageHead("Reserved names", "Tunnels"),
  component: TunnelNamesPage,
});

function TunnelNamesPage() {
  const { org } = tunnelNamesRoute.useParams();
  const { user } = useMe();
  const role = useMembership(org)?.role;
  const denied = deniedReason(role, "tunnels", "write");

  return (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Reserved names
        </CardTitle>
        <CardDescription>
          {denied ?? "Only the member a name is reserved for may open a tunnel under it."}
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-6">
        {denied ? null : (
          <>
            <MemberPicker org={org} me={{ id: user.id, name: user.name, email: user.email }} />
            <Separator />
          </>
        )}
        <ReservedNamesTable org={org} role={role} />
      </CardContent>
    </Card>
  );
}

/** The reserve form, offered the organization's members (the two features meet here, not in each other). */
function MemberPicker({ org, me }: { org: string; me: { id: string; name: string; email: string } }) {
  const members = useMembers(org);
  const choices = (members.data ?? []).map((m) => ({ id: m.user_id, name: m.name, email: m.email }));
  return <ReserveNameForm org={org} me={me} members={choices} />;
}
