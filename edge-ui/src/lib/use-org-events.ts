import { useQueryClient, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { useEffect } from "react";

import { orgScope, queryScopes } from "@/lib/query-keys";

/**
 * Live updates for one organization, from `GET /api/orgs/{org}/events`
 * (Server-Sent Events): events mark the queries they change stale, so
 * TanStack Query refetches what is on screen.
 *
 * Query keys: every organization query is `["orgs", org, <feature>, ...]`
 * (`orgScope(org)` then the feature's segment: `"audit"`, `"members"`,
 * `"invitations"`, ...). A feature whose data an event changes adds its
 * segment below; features never need to know about this file.
 *
 * - `audit.created` (every mutation writes one): the audit log and the
 *   dashboard's recent activity (both keyed under `"audit"`), plus the
 *   feature of the changed resource, from `resource_type`.
 * - `reset`: the server no longer holds what this page missed: every query
 *   of the organization is stale.
 * - other types: the features listed in `EVENT_FEATURES`.
 */

/**
 * Event type → feature segments (after `["orgs", org]`) it makes stale. The
 * API also publishes (or will) `node.online`/`node.offline`, `server.state`
 * and `server.stats`: the feature that shows them adds its line here.
 */
const EVENT_FEATURES: Record<string, readonly string[]> = {
  "audit.created": ["audit"],
  "tunnel.opened": ["tunnels"],
  "tunnel.closed": ["tunnels"],
  // Counters that moved, about once a second per busy host while the list is on screen.
  "tunnel.stats": ["tunnels"],
  // Tunnels show whether their host is online, so they refresh with it.
  "host.online": ["tunnel-hosts", "tunnels"],
  "host.offline": ["tunnel-hosts", "tunnels"],
  "tunnel_host.enrolled": ["tunnel-hosts", "tunnels"],
  // Game servers: a state Wings reported, an install that ended, a node that came or went.
  "server.state": ["game-servers"],
  "server.installed": ["game-servers"],
  "node.online": ["game-servers"],
  "node.offline": ["game-servers"],
  // A schedule's run ended: its list and runs sit under the server's queries.
  "schedule.run": ["game-servers"],
};

/** An audit entry's `resource_type` → feature segments it makes stale. */
const RESOURCE_FEATURES: Record<string, readonly string[]> = {
  user: ["members"],
  invitation: ["invitations"],
  tunnel: ["tunnels"],
  tunnel_host: ["tunnel-hosts"],
  tunnel_name: ["tunnel-names"],
  server: ["game-servers"],
  node: ["game-servers"],
};

/** Resource types whose changes show outside the organization's scope. */
const RESOURCE_SCOPES: Record<string, readonly QueryKey[]> = {
  // The organization's name and the caller's role come with `/api/auth/me`.
  organization: [queryScopes.auth],
  user: [queryScopes.auth],
  // A key approved at `/activate` joins the user's SSH keys.
  ssh_key: [[...queryScopes.account, "ssh-keys"]],
};

/** Waits before opening again after the server refused the stream, doubling to a minute. */
const RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;

type Connection = {
  source: EventSource | null;
  /** Each QueryClient listening, with how many components use it. */
  clients: Map<QueryClient, number>;
  /** The last event id seen, to resume after opening again. */
  lastEventId: string | null;
  retryMs: number;
  timer: ReturnType<typeof setTimeout> | null;
};

/** One connection per organization, shared by every component using it. */
const connections = new Map<string, Connection>();

function eventsUrl(org: string, lastEventId: string | null): string {
  const base = `/api/orgs/${encodeURIComponent(org)}/events`;
  return lastEventId ? `${base}?last_event_id=${encodeURIComponent(lastEventId)}` : base;
}

function invalidate(connection: Connection, keys: readonly QueryKey[]) {
  for (const queryClient of connection.clients.keys()) {
    for (const queryKey of keys) void queryClient.invalidateQueries({ queryKey });
  }
}

function resourceType(data: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(data);
    if (parsed && typeof parsed === "object" && "resource_type" in parsed) {
      const value = parsed.resource_type;
      return typeof value === "string" ? value : undefined;
    }
  } catch {
    // Not JSON: nothing more to learn from it.
  }
  return undefined;
}

/** The query keys an event makes stale. */
export function staleKeys(org: string, type: string, data: string): QueryKey[] {
  if (type === "reset") return [orgScope(org)];
  const features = [...(EVENT_FEATURES[type] ?? [])];
  const keys: QueryKey[] = [];
  if (type === "audit.created") {
    const resource = resourceType(data);
    if (resource) {
      features.push(...(RESOURCE_FEATURES[resource] ?? []));
      keys.push(...(RESOURCE_SCOPES[resource] ?? []));
    }
  }
  return [...features.map((feature) => [...orgScope(org), feature]), ...keys];
}

function open(org: string, connection: Connection) {
  const source = new EventSource(eventsUrl(org, connection.lastEventId));
  connection.source = source;
  const onEvent = (event: MessageEvent<string>) => {
    if (event.lastEventId) connection.lastEventId = event.lastEventId;
    connection.retryMs = RETRY_MS;
    invalidate(connection, staleKeys(org, event.type, event.data));
  };
  for (const type of ["ready", "reset", ...Object.keys(EVENT_FEATURES)]) {
    source.addEventListener(type, onEvent);
  }
  source.addEventListener("error", () => {
    // EventSource reconnects by itself after a dropped connection
    // (CONNECTING); it gives up when the server refuses (CLOSED: signed
    // out, removed, too many streams), so open again later.
    if (source.readyState !== EventSource.CLOSED || connection.source !== source) return;
    source.close();
    connection.source = null;
    connection.timer = setTimeout(() => {
      connection.timer = null;
      if (connections.get(org) === connection) open(org, connection);
    }, connection.retryMs);
    connection.retryMs = Math.min(connection.retryMs * 2, MAX_RETRY_MS);
  });
}

/** Starts (or joins) the organization's event stream; returns the matching stop. */
export function subscribeOrgEvents(org: string, queryClient: QueryClient): () => void {
  let connection = connections.get(org);
  if (!connection) {
    connection = { source: null, clients: new Map(), lastEventId: null, retryMs: RETRY_MS, timer: null };
    connections.set(org, connection);
    open(org, connection);
  }
  const joined = connection;
  joined.clients.set(queryClient, (joined.clients.get(queryClient) ?? 0) + 1);
  return () => {
    const users = (joined.clients.get(queryClient) ?? 1) - 1;
    if (users > 0) {
      joined.clients.set(queryClient, users);
      return;
    }
    joined.clients.delete(queryClient);
    if (joined.clients.size > 0) return;
    joined.source?.close();
    if (joined.timer) clearTimeout(joined.timer);
    connections.delete(org);
  };
}

/** Keeps this organization's queries fresh from its live events while mounted. */
export function useOrgEvents(org: string | undefined) {
  const queryClient = useQueryClient();
  useEffect(
    // Without EventSource (jsdom, very old browsers) pages still work; they
    // just refresh on their own schedule instead of live.
    () => (org && typeof EventSource !== "undefined" ? subscribeOrgEvents(org, queryClient) : undefined),
    [org, queryClient],
  );
}
