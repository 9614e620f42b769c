import { createRoute } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { PageHeader } from "@/components/page-header";
import { SystemStatusCard } from "@/features/health/components/system-status-card";

export const dashboardRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "/",
  component: DashboardPage,
});

function DashboardPage() {
  return (
    <>
      <PageHeader title="Dashboard" description="An overview of this organization." />
      <div className="grid gap-6 lg:grid-cols-2">
        <SystemStatusCard />
      </div>
    </>
  );
}
