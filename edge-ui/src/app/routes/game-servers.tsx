import { createRoute } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { PageHeader } from "@/components/page-header";
import { ServerList } from "@/features/game-servers/components/server-list";
import { pageHead } from "@/lib/page-title";

/** `/o/$org/game-servers`: every game server, with live figures. */
export const gameServersRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "game-servers",
  head: () => pageHead("Game servers"),
  component: GameServersPage,
});

function GameServersPage() {
  const { org } = gameServersRoute.useParams();
  return (
    <>
      <PageHeader title="Game servers" description="Every game server of this organization, live." />
      <ServerList org={org} />
    </>
  );
}
