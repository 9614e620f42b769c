import { createRoute } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { NotBuiltYet } from "@/components/not-built-yet";
import { PageHeader } from "@/components/page-header";

export const auditLogRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "audit-log",
  component: () => (
    <>
      <PageHeader title="Audit log" />
      <NotBuiltYet section="Audit log" />
    </>
  ),
});
