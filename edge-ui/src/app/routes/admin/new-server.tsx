import { createRoute } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { PageHeader } from "@/components/page-header";
import { NewServerWizard } from "@/features/new-server/components/new-server-wizard";
import { SERVERS_DENIED, mayManageServers } from "@/features/nodes/utils/access";
import { useMembership } from "@/lib/auth";
import { pageHead } from "@/lib/page-title";

/** `/o/$org/game-servers/new`: the new server wizard. */
export const newServerRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "game-servers/new",
  head: () => pageHead("New server", "Game servers"),
  component: NewServerPage,
});

function NewServerPage() {
  const { org } = newServerRoute.useParams();
  const may = mayManageServers(useMembership(org)?.role);
  return (
    <>
      <PageHeader title="New server" description={may ? "Five steps; nothing is made until the last one." : SERVERS_DENIED} />
      {may ? <NewServerWizard org={org} /> : null}
    </>
  );
}
