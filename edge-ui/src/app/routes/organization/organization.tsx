import { Outlet, createRoute, redirect } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { SectionNav } from "@/components/layout/section-nav";
import { PageHeader } from "@/components/page-header";
import { useMembership } from "@/lib/auth";

export const organizationRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "organization",
  component: OrganizationLayout,
});

/** `/o/$org/organization` opens on the members. */
export const organizationIndexRoute = createRoute({
  getParentRoute: () => organizationRoute,
  path: "/",
  beforeLoad: ({ params }) => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router redirects by throwing
    throw redirect({ to: "/o/$org/organization/members", params, replace: true });
  },
});

const SECTIONS = [
  { title: "Members", to: "/o/$org/organization/members" },
  { title: "Invitations", to: "/o/$org/organization/invitations" },
  { title: "Webhooks", to: "/o/$org/organization/webhooks" },
] as const;

function OrganizationLayout() {
  const { org } = organizationRoute.useParams();
  const membership = useMembership(org);
  return (
    <>
      <PageHeader title="Organization" description={`Who belongs to ${membership?.name ?? org}, who is invited, and where its events go.`} />
      <SectionNav label="Organization" org={org} items={SECTIONS} />
      <Outlet />
    </>
  );
}
