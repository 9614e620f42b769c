import { createRoute } from "@tanstack/react-router";
import { z } from "zod";

import { orgRoute } from "@/app/routes/org";
import { ServerPage } from "@/features/game-servers/components/server-page";

const serverSearchSchema = z.object({
  /** Which tab (`SERVER_TABS` id); the first the caller may see when absent. */
  tab: z.string().optional().catch(undefined),
  /** The Files tab's directory. */
  path: z.string().optional().catch(undefined),
});

/** `/o/$org/game-servers/$server?tab=console`: one game server and its tabs. */
export const gameServerRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "game-servers/$server",
  validateSearch: serverSearchSchema,
  component: GameServerPage,
});

function GameServerPage() {
  const { org, server } = gameServerRoute.useParams();
  const { tab, path } = gameServerRoute.useSearch();
  return <ServerPage org={org} server={server} tab={tab} path={path} />;
}
