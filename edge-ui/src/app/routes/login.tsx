import { createRoute, redirect } from "@tanstack/react-router";
import { z } from "zod";

import { rootRoute } from "@/app/routes/root";
import { AuthLayout } from "@/components/layout/auth-layout";
import { LoginForm } from "@/features/auth/components/login-form";
import { getMeQueryOptions, isUnauthenticated, knownSignedOut, safeRedirect, signedOutDestination } from "@/lib/auth";
import { pageHead } from "@/lib/page-title";

const loginSearchSchema = z.object({
  /** Where to go after signing in (an in-app path). */
  redirect: z.string().optional().catch(undefined),
});

/** Sign-in, with the two-factor step when it is on. */
export const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "login",
  head: () => pageHead("Sign in"),
  validateSearch: loginSearchSchema,
  beforeLoad: async ({ context: { queryClient }, search }) => {
    // Ask afresh, since a cached user may belong to a session that just ended;
    // but a "nobody" just answered (the redirect here) is not asked again.
    const me = knownSignedOut(queryClient)
      ? null
      : await queryClient.query({ ...getMeQueryOptions(), staleTime: 0 }).catch((error: unknown) => {
          if (isUnauthenticated(error)) return null;
          throw error;
        });
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router redirects by throwing
    if (me) throw redirect({ href: safeRedirect(search.redirect) ?? "/" });
    // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router redirects by throwing
    if ((await signedOutDestination(queryClient)) === "/setup") throw redirect({ to: "/setup" });
  },
  component: LoginPage,
});

function LoginPage() {
  const navigate = loginRoute.useNavigate();
  const { redirect: next } = loginRoute.useSearch();
  return (
    <AuthLayout title="Sign in to Flamingo">
      <LoginForm
        onSignedIn={(me) => {
          const target = safeRedirect(next);
          const first = me.memberships[0];
          if (target) void navigate({ href: target });
          else void navigate(first ? { to: "/o/$org", params: { org: first.slug } } : { to: "/" });
        }}
      />
    </AuthLayout>
  );
}
