import { createRoute } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { NotBuiltYet } from "@/components/not-built-yet";
import { PageHeader } from "@/components/page-header";

export const vpsFleetRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "vps",
  component: () => (
    <>
      <PageHeader title="VPS fleet" />
      <NotBuiltYet section="VPS fleet" />
    </>
  ),
});
