import { createRoute } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { NotBuiltYet } from "@/components/not-built-yet";
import { PageHeader } from "@/components/page-header";
import { pageHead } from "@/lib/page-title";

export const gameServersRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "game-servers",
  head: () => pageHead("Game servers"),
  component: () => (
    <>
      <PageHeader title="Game servers" />
      <NotBuiltYet section="Game servers" />
    </>
  ),
});
