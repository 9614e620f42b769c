import { createRoute } from "@tanstack/react-router";

import { rootRoute } from "@/app/routes/root";
import { AuthLayout } from "@/components/layout/auth-layout";
import { JoinInvitation } from "@/features/invitations/components/join-invitation";
import { pageHead } from "@/lib/page-title";

/** An invitation link: `/join/<token>`. */
export const joinRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "join/$token",
  head: () => pageHead("Join an organization"),
  component: JoinPage,
});

function JoinPage() {
  const { token } = joinRoute.useParams();
  const navigate = joinRoute.useNavigate();
  return (
    <AuthLayout title="Join an organization">
      <JoinInvitation
        token={token}
        onJoined={(_, org, server) => {
          // A subuser of one server is not a member of its organization.
          void (server ? navigate({ to: "/" }) : navigate({ to: "/o/$org", params: { org } }));
        }}
      />
    </AuthLayout>
  );
}
