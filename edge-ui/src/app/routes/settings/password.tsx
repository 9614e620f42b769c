import { createRoute } from "@tanstack/react-router";

import { settingsRoute } from "@/app/routes/settings/settings";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { PasswordForm } from "@/features/account/components/password-form";
import { pageHead } from "@/lib/page-title";

export const passwordRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "password",
  head: () => pageHead("Password", "Settings"),
  component: () => (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Password
        </CardTitle>
        <CardDescription>Changing it signs you out everywhere else.</CardDescription>
      </CardHeader>
      <CardContent>
        <PasswordForm />
      </CardContent>
    </Card>
  ),
});
