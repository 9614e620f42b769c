import { createRoute } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { NotBuiltYet } from "@/components/not-built-yet";
import { PageHeader } from "@/components/page-header";

export const tunnelsRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "tunnels",
  component: () => (
    <>
      <PageHeader title="Tunnels" />
      <NotBuiltYet section="Tunnels" />
    </>
  ),
});
