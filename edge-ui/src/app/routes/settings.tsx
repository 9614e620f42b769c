import { createRoute } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { NotBuiltYet } from "@/components/not-built-yet";
import { PageHeader } from "@/components/page-header";

export const settingsRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "settings",
  component: () => (
    <>
      <PageHeader title="Settings" />
      <NotBuiltYet section="Settings" />
    </>
  ),
});
