import { createRoute } from "@tanstack/react-router";

import { settingsRoute } from "@/app/routes/settings/settings";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { SessionsList } from "@/features/sessions/components/sessions-list";
import { pageHead } from "@/lib/page-title";

export const sessionsRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "sessions",
  head: () => pageHead("Sessions", "Settings"),
  component: () => (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Sessions
        </CardTitle>
        <CardDescription>Browsers signed in to your account. Revoke any you do not recognise.</CardDescription>
      </CardHeader>
      <CardContent>
        <SessionsList />
      </CardContent>
    </Card>
  ),
});
