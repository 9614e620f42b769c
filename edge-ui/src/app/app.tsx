import { RouterProvider } from "@tanstack/react-router";
import { useState } from "react";

import { AppProvider } from "@/app/provider";
import { createAppRouter } from "@/app/router";
import { createQueryClient } from "@/lib/query-client";

/** The whole app: providers around the router. */
export function App() {
  const [queryClient] = useState(createQueryClient);
  const [router] = useState(() => createAppRouter({ queryClient }));

  return (
    <AppProvider queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProvider>
  );
}
