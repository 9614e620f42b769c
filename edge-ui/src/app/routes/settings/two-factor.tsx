import { createRoute } from "@tanstack/react-router";

import { settingsRoute } from "@/app/routes/settings/settings";
import { TwoFactorCard } from "@/features/two-factor/components/two-factor-card";

export const twoFactorRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "two-factor",
  component: TwoFactorCard,
});
