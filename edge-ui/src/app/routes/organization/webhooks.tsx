import { createRoute } from "@tanstack/react-router";

import { organizationRoute } from "@/app/routes/organization/organization";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { CreateWebhookDialog } from "@/features/webhooks/components/create-webhook-dialog";
import { WebhooksList } from "@/features/webhooks/components/webhooks-list";
import { useMembership } from "@/lib/auth";
import { deniedReason } from "@/lib/authorization";
import { pageHead } from "@/lib/page-title";

export const webhooksRoute = createRoute({
  getParentRoute: () => organizationRoute,
  path: "webhooks",
  head: () => pageHead("Webhooks", "Organization"),
  component: WebhooksPage,
});

function WebhooksPage() {
  const { org } = webhooksRoute.useParams();
  const role = useMembership(org)?.role;
  const denied = deniedReason(role, "settings", "write");

  return (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Webhooks
        </CardTitle>
        <CardDescription>
          {denied ??
            "Endpoints that receive this organization's events, signed per Standard Webhooks. A delivery that fails is retried for a day; an endpoint that fails for a day is turned off."}
        </CardDescription>
        <CardAction>
          <CreateWebhookDialog org={org} disabledReason={denied} />
        </CardAction>
      </CardHeader>
      <CardContent>{denied ? null : <WebhooksList org={org} canChange={denied === undefined} />}</CardContent>
    </Card>
  );
}
