import { createRoute, redirect } from "@tanstack/react-router";
import { z } from "zod";

import { rootRoute } from "@/app/routes/root";
import { AuthLayout } from "@/components/layout/auth-layout";
import { ActivateForm } from "@/features/activation/components/activate-form";
import { loadMe, signedOutDestination, useMe } from "@/lib/auth";
import { pageHead } from "@/lib/page-title";

const activateSearchSchema = z.object({
  /** A code to fill in, e.g. from a link the tunnel host printed. */
  code: z.string().optional().catch(undefined),
});

/**
 * `/activate`: the device flow's verification page, which tunnel hosts print
 * (`<edge>/activate`). Signed-out visitors sign in first and come back here,
 * code and all.
 */
export const activateRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "activate",
  head: () => pageHead("Connect your SSH key"),
  validateSearch: activateSearchSchema,
  beforeLoad: async ({ context: { queryClient }, location }) => {
    if (await loadMe(queryClient)) return;
    const to = await signedOutDestination(queryClient);
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router redirects by throwing
    throw to === "/login" ? redirect({ to, search: { redirect: location.href } }) : redirect({ to });
  },
  component: ActivatePage,
});

function ActivatePage() {
  const { code } = activateRoute.useSearch();
  const { user } = useMe();
  return (
    <AuthLayout
      title="Connect your SSH key"
      description={
        <>
          Enter the code your terminal shows to add that key to your account. Signed in as{" "}
          <span className="font-medium text-foreground">{user.name}</span> ({user.email}).
        </>
      }
    >
      <ActivateForm initialCode={code} />
    </AuthLayout>
  );
}
