import { Link } from "@tanstack/react-router";
import { ArrowLeft } from "lucide-react";
import { Suspense } from "react";

import { ErrorState, ListSkeleton } from "@/components/query-states";
import { PageHeader } from "@/components/page-header";
import { useServer } from "@/features/game-servers/api/servers";
import { visibleTabs, type ServerTabProps } from "@/features/game-servers/server-tabs";
import { StatusBadge } from "@/features/game-servers/components/status-badge";
import { serverCan } from "@/features/game-servers/lib/permissions";
import { serverStatus } from "@/features/game-servers/lib/server-status";
import { useMembership } from "@/lib/auth";
import { pageTitle } from "@/lib/page-title";
import { cn } from "@/lib/utils";

/** One game server: its name and state over the tabs of `SERVER_TABS` the caller may see. */
export function ServerPage({
  org,
  server,
  tab,
  path,
}: {
  org: string;
  server: string;
  tab: string | undefined;
  path: string | undefined;
}) {
  const role = useMembership(org)?.role;
  const detail = useServer(org, server);

  if (detail.isPending) return <ListSkeleton label="Loading the server" rows={4} />;
  if (detail.isError) {
    return (
      <>
        <title>{pageTitle("Game server")}</title>
        <PageHeader title="Game server" />
        <ErrorState title="Could not load this server" error={detail.error} onRetry={() => void detail.refetch()} />
      </>
    );
  }

  const { server: s } = detail.data;
  const can = (permission: string) => serverCan(detail.data.permissions, role, permission);
  const tabs = visibleTabs(can);
  const current = tabs.find((t) => t.id === tab) ?? tabs[0];
  const props: ServerTabProps = { org, detail: detail.data, role, can, path };
  const address = `${s.allocation.alias ?? s.allocation.ip}:${String(s.allocation.port)}`;
  const Current = current?.component;

  return (
    <>
      <title>{pageTitle(current ? `${s.name} · ${current.title}` : s.name, "Game servers")}</title>
      {role ? (
        <Link
          to="/o/$org/game-servers"
          params={{ org }}
          className="mb-2 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground"
        >
          <ArrowLeft className="size-4" aria-hidden="true" />
          Game servers
        </Link>
      ) : (
        // Not a member of the organization (a subuser only): back to their own servers.
        <Link to="/servers" className="mb-2 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
          <ArrowLeft className="size-4" aria-hidden="true" />
          Your servers
        </Link>
      )}
      <PageHeader
        title={s.name}
        description={
          <span className="flex flex-wrap items-center gap-x-4 gap-y-1">
            <StatusBadge status={serverStatus(s.status, s.container_state, undefined)} />
            <span>{s.node_name}</span>
            <span className="font-mono">{address}</span>
            <span>{s.egg_name}</span>
          </span>
        }
      />
      <nav aria-label="Server sections" className="mb-6 border-b">
        <ul className="-mb-px flex gap-1 overflow-x-auto">
          {tabs.map((t) => (
            <li key={t.id} className="shrink-0">
              <Link
                to="/o/$org/game-servers/$server"
                params={{ org, server }}
                search={{ tab: t.id }}
                aria-current={t.id === current?.id ? "page" : undefined}
                className={cn(
                  "inline-flex h-10 items-center border-b-2 border-transparent px-3 text-sm font-medium whitespace-nowrap text-muted-foreground outline-none transition-colors hover:text-foreground focus-visible:rounded-sm focus-visible:ring-[3px] focus-visible:ring-inset focus-visible:ring-ring/50",
                  t.id === current?.id && "border-primary text-foreground",
                )}
              >
                {t.title}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {Current ? (
        <Suspense fallback={<ListSkeleton label={`Loading ${current.title}`} rows={4} />}>
          <Current key={current.id} {...props} />
        </Suspense>
      ) : (
        <p className="text-sm text-muted-foreground">You have no access to any part of this server.</p>
      )}
    </>
  );
}
