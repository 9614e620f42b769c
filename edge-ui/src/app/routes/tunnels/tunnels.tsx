import { Outlet, createRoute } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { SectionNav } from "@/components/layout/section-nav";
import { PageHeader } from "@/components/page-header";

/** `/o/$org/tunnels`: open tunnels, the hosts serving them, and reserved names. */
export const tunnelsRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "tunnels",
  component: TunnelsLayout,
});

const SECTIONS = [
  { title: "Tunnels", to: "/o/$org/tunnels", exact: true },
  { title: "Hosts", to: "/o/$org/tunnels/hosts" },
  { title: "Reserved names", to: "/o/$org/tunnels/names" },
] as const;

function TunnelsLayout() {
  const { org } = tunnelsRoute.useParams();
  return (
    <>
      <PageHeader title="Tunnels" description="Local ports published through this organization's tunnel hosts." />
      <SectionNav label="Tunnels" org={org} items={SECTIONS} />
      <Outlet />
    </>
  );
}
