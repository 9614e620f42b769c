import type { QueryClient } from "@tanstack/react-query";
import { createRouter, type RouterHistory } from "@tanstack/react-router";

import { auditLogRoute } from "@/app/routes/audit-log";
import { dashboardRoute } from "@/app/routes/dashboard";
import { gameServerRoute } from "@/app/routes/game-server";
import { gameServersRoute } from "@/app/routes/game-servers";
import { indexRoute } from "@/app/routes/index";
import { joinRoute } from "@/app/routes/join";
import { loginRoute } from "@/app/routes/login";
import { orgRoute } from "@/app/routes/org";
import { invitationsRoute } from "@/app/routes/organization/invitations";
import { membersRoute } from "@/app/routes/organization/members";
import { organizationIndexRoute, organizationRoute } from "@/app/routes/organization/organization";
import { webhooksRoute } from "@/app/routes/organization/webhooks";
import { rootRoute } from "@/app/routes/root";
import { activateRoute } from "@/app/routes/activate";
import { eggRoute } from "@/app/routes/admin/egg";
import { eggsRoute } from "@/app/routes/admin/eggs";
import { nodeRoute } from "@/app/routes/admin/node";
import { newServerRoute } from "@/app/routes/admin/new-server";
import { nodesRoute } from "@/app/routes/admin/nodes";
import { apiKeysRoute } from "@/app/routes/settings/api-keys";
import { passwordRoute } from "@/app/routes/settings/password";
import { profileRoute } from "@/app/routes/settings/profile";
import { sessionsRoute } from "@/app/routes/settings/sessions";
import { sshKeysRoute } from "@/app/routes/settings/ssh-keys";
import { settingsIndexRoute, settingsRoute } from "@/app/routes/settings/settings";
import { twoFactorRoute } from "@/app/routes/settings/two-factor";
import { setupRoute } from "@/app/routes/setup";
import { sharedServersRoute } from "@/app/routes/shared-servers";
import { tunnelHostsRoute } from "@/app/routes/tunnels/hosts";
import { tunnelNamesRoute } from "@/app/routes/tunnels/names";
import { openTunnelsRoute } from "@/app/routes/tunnels/open-tunnels";
import { tunnelsRoute } from "@/app/routes/tunnels/tunnels";
import { vpsFleetRoute } from "@/app/routes/vps-fleet";

/** Every route of the app, in one place. */
const routeTree = rootRoute.addChildren([
  indexRoute,
  setupRoute,
  loginRoute,
  joinRoute,
  activateRoute,
  sharedServersRoute,
  orgRoute.addChildren([
    dashboardRoute,
    gameServersRoute,
    gameServerRoute,
    newServerRoute,
    nodesRoute,
    nodeRoute,
    eggsRoute,
    eggRoute,
    tunnelsRoute.addChildren([openTunnelsRoute, tunnelHostsRoute, tunnelNamesRoute]),
    vpsFleetRoute,
    organizationRoute.addChildren([organizationIndexRoute, membersRoute, invitationsRoute, webhooksRoute]),
    auditLogRoute,
    settingsRoute.addChildren([
      settingsIndexRoute,
      profileRoute,
      passwordRoute,
      twoFactorRoute,
      sessionsRoute,
      apiKeysRoute,
      sshKeysRoute,
    ]),
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
    // Loaders fetch through TanStack Query, which keeps data fresh itself.
    defaultPreloadStaleTime: 0,
    scrollRestoration: true,
  });
}

declare module "@tanstack/react-router" {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- module augmentation needs an interface
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
