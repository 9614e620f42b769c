import { createRoute } from "@tanstack/react-router";

import { settingsRoute } from "@/app/routes/settings/settings";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { ApiKeysList } from "@/features/api-keys/components/api-keys-list";
import { CreateApiKeyDialog } from "@/features/api-keys/components/create-api-key-dialog";
import { pageHead } from "@/lib/page-title";

export const apiKeysRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "api-keys",
  head: () => pageHead("API keys", "Settings"),
  component: () => (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          API keys
        </CardTitle>
        <CardDescription>Keys act as you, in every organization you belong to.</CardDescription>
        <CardAction>
          <CreateApiKeyDialog />
        </CardAction>
      </CardHeader>
      <CardContent>
        <ApiKeysList />
      </CardContent>
    </Card>
  ),
});
