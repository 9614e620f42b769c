import { createRoute, redirect } from "@tanstack/react-router";

import { rootRoute } from "@/app/routes/root";
import { AuthLayout } from "@/components/layout/auth-layout";
import { SetupForm } from "@/features/auth/components/setup-form";
import { getSetupStatusQueryOptions } from "@/lib/auth";
import { pageHead } from "@/lib/page-title";

/** First run: create the owner and the first organization. Gone once done. */
export const setupRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "setup",
  head: () => pageHead("Set up"),
  beforeLoad: async ({ context: { queryClient } }) => {
    // Asked once per visit: the answer that sent the visitor here (from `/` or
    // sign-in) is not asked again. Only setup turns "needed" off, and this
    // app's setup updates the cached answer; if someone else finished first,
    // the form says so.
    const status = await queryClient.query(getSetupStatusQueryOptions());
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router redirects by throwing
    if (!status.needed) throw redirect({ to: "/" });
  },
  component: SetupPage,
});

function SetupPage() {
  const navigate = setupRoute.useNavigate();
  return (
    <AuthLayout
      title="Set up Flamingo"
      description="Create the owner account and your first organization. This page is shown only once."
    >
      <SetupForm
        onDone={(me) => {
          const first = me.memberships[0];
          void navigate(first ? { to: "/o/$org", params: { org: first.slug } } : { to: "/" });
        }}
      />
    </AuthLayout>
  );
}
