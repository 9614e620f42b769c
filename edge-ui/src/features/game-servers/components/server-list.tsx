import { Link } from "@tanstack/react-router";
import { Gamepad2 } from "lucide-react";
import { useDeferredValue, useMemo, useState } from "react";

import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useServers, useUtilization } from "@/features/game-servers/api/servers";
import { StatusBadge } from "@/features/game-servers/components/status-badge";
import {
  choices,
  filterServers,
  liveStatus,
  noFilters,
  type ServerFilters,
} from "@/features/game-servers/lib/server-filters";
import { formatCpu } from "@/features/game-servers/lib/server-status";
import type { GameServerView, Utilization } from "@/features/game-servers/schemas/server";
import { wingsErrorMessage } from "@/features/game-servers/lib/wings-errors";
import { formatBytes, formatCount } from "@/lib/format";

const STATUSES = ["running", "starting", "stopping", "offline", "installing", "install failed", "suspended", "node offline"];

const SELECT =
  "h-9 rounded-md border border-input bg-transparent px-2 text-sm dark:bg-input/30 focus-visible:outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50";

function Figure({ value }: { value: string | undefined }) {
  return value === undefined ? (
    <span className="text-muted-foreground" aria-label="not known">
      –
    </span>
  ) : (
    <span className="font-mono tabular-nums">{value}</span>
  );
}

function columns(org: string, utilization: Utilization | undefined): DataColumn<GameServerView>[] {
  const live = (s: GameServerView) =>
    utilization?.nodes[s.node_id]?.online === false ? undefined : utilization?.servers[s.id];
  return [
    {
      id: "name",
      header: "Name",
      cell: (s) => (
        <Link
          to="/o/$org/game-servers/$server"
          params={{ org, server: s.id }}
          className="font-medium underline-offset-4 hover:underline"
        >
          {s.name}
        </Link>
      ),
    },
    { id: "node", header: "Node", cell: (s) => s.node_name },
    {
      id: "allocation",
      header: "Allocation",
      className: "font-mono",
      hideBelow: "3xl",
      cell: (s) => `${s.allocation.alias ?? s.allocation.ip}:${String(s.allocation.port)}`,
    },
    { id: "status", header: "Status", cell: (s) => <StatusBadge status={liveStatus(s, utilization)} /> },
    {
      id: "cpu",
      header: "CPU",
      align: "right",
      hideBelow: "4xl",
      cell: (s) => {
        const l = live(s);
        return <Figure value={l ? formatCpu(l.cpu_absolute) : undefined} />;
      },
    },
    {
      id: "memory",
      header: "Memory",
      align: "right",
      hideBelow: "4xl",
      cell: (s) => {
        const l = live(s);
        return <Figure value={l ? formatBytes(l.memory_bytes) : undefined} />;
      },
    },
    {
      id: "disk",
      header: "Disk",
      align: "right",
      hideBelow: "5xl",
      cell: (s) => {
        const l = live(s);
        return <Figure value={l ? formatBytes(l.disk_bytes) : undefined} />;
      },
    },
  ];
}

/**
 * Every game server of the organization: the list comes from one database
 * read and shows at once; live CPU, memory and disk fill in from the
 * utilization call, and a node that did not answer reads "node offline".
 */
export function ServerList({ org }: { org: string }) {
  const servers = useServers(org);
  const utilization = useUtilization(org, servers.isSuccess && servers.data.length > 0);
  const [filters, setFilters] = useState<ServerFilters>(noFilters);
  const deferred = useDeferredValue(filters);
  const all = useMemo(() => servers.data ?? [], [servers.data]);
  const rows = useMemo(() => filterServers(all, deferred, utilization.data), [all, deferred, utilization.data]);
  const nodes = useMemo(() => choices(all, (s) => ({ value: s.node_id, label: s.node_name })), [all]);
  const owners = useMemo(
    () => choices(all, (s) => ({ value: s.owner_id ?? "none", label: s.owner_name ?? "No owner" })),
    [all],
  );
  const cols = useMemo(() => columns(org, utilization.data), [org, utilization.data]);

  if (servers.isPending) return <ListSkeleton label="Loading game servers" rows={6} />;
  if (servers.isError) {
    return <ErrorState title="Could not load the game servers" error={servers.error} onRetry={() => void servers.refetch()} />;
  }
  if (all.length === 0) {
    return (
      <EmptyState icon={Gamepad2} title="No game servers yet">
        Servers created on this organization&apos;s nodes show here.
      </EmptyState>
    );
  }

  const offlineNodes = Object.entries(utilization.data?.nodes ?? {}).filter(([, n]) => !n.online);
  const set = (patch: Partial<ServerFilters>) => {
    setFilters((f) => ({ ...f, ...patch }));
  };

  return (
    <div className="space-y-4">
      <form
        role="search"
        aria-label="Filter game servers"
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
        }}
      >
        <div className="space-y-1">
          <Label htmlFor="server-search">Search</Label>
          <Input
            id="server-search"
            type="search"
            placeholder="Name or address"
            className="w-60"
            value={filters.search}
            onChange={(e) => {
              set({ search: e.target.value });
            }}
          />
        </div>
        <div className="space-y-1">
          <Label htmlFor="server-node">Node</Label>
          <select id="server-node" className={SELECT} value={filters.node} onChange={(e) => { set({ node: e.target.value }); }}>
            <option value="">All nodes</option>
            {nodes.map((n) => (
              <option key={n.value} value={n.value}>
                {n.label}
              </option>
            ))}
          </select>
        </div>
        <div className="space-y-1">
          <Label htmlFor="server-status">Status</Label>
          <select id="server-status" className={SELECT} value={filters.status} onChange={(e) => { set({ status: e.target.value }); }}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="space-y-1">
          <Label htmlFor="server-owner">Owner</Label>
          <select id="server-owner" className={SELECT} value={filters.owner} onChange={(e) => { set({ owner: e.target.value }); }}>
            <option value="">Anyone</option>
            {owners.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
      </form>
      <div role="status" aria-live="polite" className="space-y-1 text-sm text-muted-foreground">
        <p>
          {rows.length === all.length
            ? `${formatCount(all.length)} servers`
            : `${formatCount(rows.length)} of ${formatCount(all.length)} servers`}
          {utilization.isPending ? " · live figures loading…" : null}
        </p>
        {utilization.isError ? (
          <p className="text-destructive">Live figures are not available: {wingsErrorMessage(utilization.error)}</p>
        ) : null}
        {offlineNodes.map(([id, n]) => (
          <p key={id} className="text-destructive">
            {nodes.find((x) => x.value === id)?.label ?? "A node"} is offline
            {n.error ? `: ${n.error}` : "."} Its servers show &quot;node offline&quot;.
          </p>
        ))}
      </div>
      {rows.length === 0 ? (
        <EmptyState icon={Gamepad2} title="No server matches">
          Change the search or the filters.
        </EmptyState>
      ) : (
        <DataTable label="Game servers" columns={cols} rows={rows} rowKey={(s) => s.id} />
      )}
    </div>
  );
}
