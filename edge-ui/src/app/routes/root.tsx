import type { QueryClient } from "@tanstack/react-query";
import {
  HeadContent,
  Link,
  Outlet,
  createRootRouteWithContext,
  useRouter,
  type ErrorComponentProps,
} from "@tanstack/react-router";
import { WifiOff } from "lucide-react";
import { useEffect, useState, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { isConnectionLost } from "@/lib/api-client";
import { pageTitle } from "@/lib/page-title";

/** What every route's loader can reach. */
export type RouterContext = {
  queryClient: QueryClient;
};

/** How long the connection-lost page waits between attempts, in seconds. */
export const RECONNECT_SECONDS = 5;

export const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Root,
  notFoundComponent: NotFound,
  errorComponent: RouteError,
});

function Root() {
  return (
    <>
      {/* The tab's title, from the deepest route's `head` (see lib/page-title). */}
      <HeadContent />
      <Outlet />
    </>
  );
}

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
  if (isConnectionLost(error)) return <ConnectionLost />;
  const detail = error instanceof Error ? error.message : "An unexpected error occurred.";
  return (
    <CenteredMessage title="Something went wrong" detail={detail}>
      <Button
        onClick={() => {
          window.location.reload();
        }}
      >
        Reload
      </Button>
    </CenteredMessage>
  );
}

/**
 * The API could not be reached: say so, and try again by itself every few
 * seconds and as soon as the browser is back online, until it answers.
 */
function ConnectionLost() {
  const router = useRouter();
  const [seconds, setSeconds] = useState(RECONNECT_SECONDS);

  useEffect(() => {
    const retry = () => void router.invalidate();
    const timer = window.setInterval(() => {
      setSeconds((left) => {
        if (left > 1) return left - 1;
        retry();
        return RECONNECT_SECONDS;
      });
    }, 1000);
    window.addEventListener("online", retry);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener("online", retry);
    };
  }, [router]);

  return (
    <CenteredMessage
      title="Can't reach Flamingo"
      detail="The connection to the Flamingo API was lost. Check your network; this page reconnects by itself."
      icon={<WifiOff className="size-8 text-muted-foreground" aria-hidden="true" />}
    >
      <p role="status" className="text-sm text-muted-foreground">
        Trying again in {seconds} s…
      </p>
      <Button
        variant="outline"
        onClick={() => {
          setSeconds(RECONNECT_SECONDS);
          void router.invalidate();
        }}
      >
        Try now
      </Button>
    </CenteredMessage>
  );
}

function CenteredMessage({
  title,
  detail,
  icon,
  children,
}: {
  title: string;
  detail: string;
  icon?: ReactNode;
  children: ReactNode;
}) {
  return (
    <main className="flex min-h-svh flex-col items-center justify-center gap-4 p-6 text-center">
      <title>{pageTitle(title)}</title>
      {icon}
      <h1 className="text-2xl font-semibold">{title}</h1>
      <p className="text-muted-foreground">{detail}</p>
      {children}
    </main>
  );
}
