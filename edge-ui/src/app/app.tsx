import { RouterProvider } from "@tanstack/react-router";
import { useState } from "react";

import { AppProvider } from "@/app/provider";
import { createAppRouter } from "@/app/router";
import { createQueryClient } from "@/lib/query-client";

/** The query client and the router, which need each other: an ended session sends the visitor to sign-in. */
function createApp() {
  const queryClient = createQueryClient({
    onUnauthenticated: () => {
      const here = router.state.location;
      if (here.pathname === "/login") return;
      void router.navigate({ to: "/login", search: { redirect: here.href } });
    },
  });
  const router = createAppRouter({ queryClient });
  return { queryClient, router };
}

/** The whole app: providers around the router. */
export function App() {
  const [{ queryClient, router }] = useState(createApp);

  return (
    <AppProvider queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProvider>
  );
}
