import { createRoute } from "@tanstack/react-router";
import { MailPlus, ShieldCheck, Users } from "lucide-react";

import { orgRoute } from "@/app/routes/org";
import { PageHeader } from "@/components/page-header";
import { StatCard } from "@/components/stat-card";
import { RecentActivityCard } from "@/features/audit/components/recent-activity-card";
import { SystemStatusCard } from "@/features/health/components/system-status-card";
import { useInvitations } from "@/features/invitations/api/get-invitations";
import { useMembers } from "@/features/members/api/get-members";
import { useMembership } from "@/lib/auth";
import { roleLabel } from "@/lib/authorization";
import { pageHead } from "@/lib/page-title";

export const dashboardRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "/",
  head: () => pageHead("Dashboard"),
  component: DashboardPage,
});

function DashboardPage() {
  const { org } = dashboardRoute.useParams();
  const membership = useMembership(org);
  const members = useMembers(org);
  const invitations = useInvitations(org);
  const withTwoFactor = members.data?.filter((m) => m.totp_enabled).length;

  return (
    <>
      <PageHeader title="Dashboard" description={`An overview of ${membership?.name ?? org}.`} />
      <div className="mb-6 grid gap-4 sm:grid-cols-3">
        <StatCard
          title="Members"
          icon={Users}
          link={{ to: "/o/$org/organization/members", org }}
          value={members.data?.length}
          error={members.isError ? "Could not load." : undefined}
          hint={withTwoFactor === undefined ? undefined : `${String(withTwoFactor)} with two-factor sign-in`}
        />
        <StatCard
          title="Pending invitations"
          icon={MailPlus}
          link={{ to: "/o/$org/organization/invitations", org }}
          value={invitations.data?.length}
          error={invitations.isError ? "Could not load." : undefined}
        />
        <StatCard
          title="Your role"
          icon={ShieldCheck}
          value={membership ? roleLabel(membership.role) : "—"}
          link={{ to: "/o/$org/organization/members", org }}
        />
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        <RecentActivityCard org={org} />
        <SystemStatusCard />
      </div>
    </>
  );
}
