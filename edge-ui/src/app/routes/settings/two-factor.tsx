import { createRoute } from "@tanstack/react-router";

import { settingsRoute } from "@/app/routes/settings/settings";
import { TwoFactorCard } from "@/features/two-factor/components/two-factor-card";
import { pageHead } from "@/lib/page-title";

export const twoFactorRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "two-factor",
  head: () => pageHead("Two-factor", "Settings"),
  component: TwoFactorCard,
});
