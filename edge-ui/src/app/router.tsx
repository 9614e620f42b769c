import type { QueryClient } from "@tanstack/react-query";
import { createRouter, type RouterHistory } from "@tanstack/react-router";

import { auditLogRoute } from "@/app/routes/audit-log";
import { dashboardRoute } from "@/app/routes/dashboard";
import { gameServersRoute } from "@/app/routes/game-servers";
import { indexRoute } from "@/app/routes/index";
import { orgRoute } from "@/app/routes/org";
import { rootRoute } from "@/app/routes/root";
import { settingsRoute } from "@/app/routes/settings";
import { tunnelsRoute } from "@/app/routes/tunnels";
import { vpsFleetRoute } from "@/app/routes/vps-fleet";

/** Every route of the app, in one place. */
const routeTree = rootRoute.addChildren([
  indexRoute,
  orgRoute.addChildren([
    dashboardRoute,
    gameServersRoute,
    tunnelsRoute,
    vpsFleetRoute,
    auditLogRoute,
    settingsRoute,
  ]),
]);

type AppRouterOptions = {
  queryClient: QueryClient;
  /** Browser history by default; tests pass a memory history. */
  history?: RouterHistory;
};

export function createAppRouter({ queryClient, history }: AppRouterOptions) {
  return createRouter({
    routeTree,
    context: { queryClient },
    history,
    defaultPreload: "intent",
    scrollRestoration: true,
  });
}

declare module "@tanstack/react-router" {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- module augmentation needs an interface
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
