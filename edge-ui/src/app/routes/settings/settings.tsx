import { Outlet, createRoute, redirect } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { SectionNav } from "@/components/layout/section-nav";
import { PageHeader } from "@/components/page-header";

export const settingsRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "settings",
  component: SettingsLayout,
});

/** `/o/$org/settings` opens on the profile. */
export const settingsIndexRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "/",
  beforeLoad: ({ params }) => {
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router redirects by throwing
    throw redirect({ to: "/o/$org/settings/profile", params, replace: true });
  },
});

const SECTIONS = [
  { title: "Profile", to: "/o/$org/settings/profile" },
  { title: "Password", to: "/o/$org/settings/password" },
  { title: "Two-factor", to: "/o/$org/settings/two-factor" },
  { title: "Sessions", to: "/o/$org/settings/sessions" },
  { title: "API keys", to: "/o/$org/settings/api-keys" },
  { title: "SSH keys", to: "/o/$org/settings/ssh-keys" },
] as const;

function SettingsLayout() {
  const { org } = settingsRoute.useParams();
  return (
    <>
      <PageHeader title="Settings" description="Your account, in every organization." />
      <SectionNav label="Settings" org={org} items={SECTIONS} />
      <Outlet />
    </>
  );
}
