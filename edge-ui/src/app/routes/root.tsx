import type { QueryClient } from "@tanstack/react-query";
import {
  Link,
  Outlet,
  createRootRouteWithContext,
  type ErrorComponentProps,
} from "@tanstack/react-router";
import type { ReactNode } from "react";

import { Button } from "@/components/ui/button";

/** What every route's loader can reach. */
export type RouterContext = {
  queryClient: QueryClient;
};

export const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFound,
  errorComponent: RouteError,
});

function NotFound() {
  return (
    <CenteredMessage title="Page not found" detail="There is no page at this address.">
      <Button asChild>
        <Link to="/">Go to the dashboard</Link>
      </Button>
    </CenteredMessage>
  );
}

function RouteError({ error }: ErrorComponentProps) {
  const detail = error instanceof Error ? error.message : "An unexpected error occurred.";
  return (
    <CenteredMessage title="Something went wrong" detail={detail}>
      <Button
        onClick={() => {
          window.location.reload();
        }}
      >Reload</Button>
    </CenteredMessage>
  );
}

function CenteredMessage({
  title,
  detail,
  children,
}: {
  title: string;
  detail: string;
  children: ReactNode;
}) {
  return (
    <main className="flex min-h-svh flex-col items-center justify-center gap-4 p-6 text-center">
      <h1 className="text-2xl font-semibold">{title}</h1>
      <p className="text-muted-foreground">{detail}</p>
      {children}
    </main>
  );
}
