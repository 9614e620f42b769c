import { createRoute } from "@tanstack/react-router";

import { settingsRoute } from "@/app/routes/settings/settings";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ProfileForm } from "@/features/account/components/profile-form";
import { pageHead } from "@/lib/page-title";

export const profileRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "profile",
  head: () => pageHead("Profile", "Settings"),
  component: () => (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Profile
        </CardTitle>
        <CardDescription>How you appear to others, and the address you sign in with.</CardDescription>
      </CardHeader>
      <CardContent>
        <ProfileForm />
      </CardContent>
    </Card>
  ),
});
