import { createRoute } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { NotBuiltYet } from "@/components/not-built-yet";
import { PageHeader } from "@/components/page-header";
import { pageHead } from "@/lib/page-title";

export const vpsFleetRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "vps",
  head: () => pageHead("VPS fleet"),
  component: () => (
    <>
      <PageHeader title="VPS fleet" />
      <NotBuiltYet section="VPS fleet" />
    </>
  ),
});
