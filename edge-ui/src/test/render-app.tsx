import { QueryClient } from "@tanstack/react-query";
import { RouterProvider, createMemoryHistory } from "@tanstack/react-router";
import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactElement } from "react";

import { AppProvider } from "@/app/provider";
import { createAppRouter } from "@/app/router";

/** A QueryClient that fails fast, for tests. */
export function createTestQueryClient(): QueryClient {
  return new QueryClient({ defaultOptions: { queries: { retry: false } } });
}

/** Renders a component inside the app's providers (no router). */
export function renderWithProviders(ui: ReactElement) {
  const queryClient = createTestQueryClient();
  const user = userEvent.setup();
  return { user, queryClient, ...render(<AppProvider queryClient={queryClient}>{ui}</AppProvider>) };
}

/** Renders the whole app at `url` with an in-memory history. */
export function renderApp(url: string) {
  const queryClient = createTestQueryClient();
  const history = createMemoryHistory({ initialEntries: [url] });
  const router = createAppRouter({ queryClient, history });
  const user = userEvent.setup();
  const utils = render(
    <AppProvider queryClient={queryClient}>
      <RouterProvider router={router} />
    </AppProvider>,
  );
  return { user, router, queryClient, ...utils };
}
