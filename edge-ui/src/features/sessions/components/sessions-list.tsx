import { Laptop, MonitorX } from "lucide-react";

import type { SessionInfo } from "@/api/generated/SessionInfo";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { useRevokeSession, useSessions } from "@/features/sessions/api/sessions";
import { formatDateTime, formatRelative } from "@/lib/format";

/** A short name for a browser from its user agent, e.g. "Chrome on Linux". */
function describeBrowser(userAgent: string | null): string {
  if (!userAgent) return "Unknown browser";
  const has = (needle: string) => userAgent.includes(needle);
  const browser = has("Edg/")
    ? "Edge"
    : has("Firefox/")
      ? "Firefox"
      : has("Chrome/")
        ? "Chrome"
        : has("Safari/")
          ? "Safari"
          : has("curl/")
            ? "curl"
            : "Browser";
  const os = has("Windows")
    ? "Windows"
    : has("Mac OS X")
      ? "macOS"
      : has("Android")
        ? "Android"
        : has("iPhone") || has("iPad")
          ? "iOS"
          : has("Linux")
            ? "Linux"
            : undefined;
  return os ? `${browser} on ${os}` : browser;
}

/** Where the user is signed in; any other session can be revoked. */
export function SessionsList() {
  const sessions = useSessions();
  const revoke = useRevokeSession();

  if (sessions.isPending) return <ListSkeleton label="Loading sessions…" />;
  if (sessions.isError)
    return <ErrorState title="Could not load your sessions." error={sessions.error} onRetry={() => void sessions.refetch()} />;
  if (sessions.data.length === 0) return <EmptyState icon={Laptop} title="No active sessions" />;

  return (
    <ul aria-label="Sessions" className="divide-y rounded-lg border">
      {sessions.data.map((session) => (
        <SessionRow
          key={session.id}
          session={session}
          pending={revoke.isPending}
          onRevoke={() => {
            revoke.mutate(session);
          }}
        />
      ))}
    </ul>
  );
}

function SessionRow({ session, pending, onRevoke }: { session: SessionInfo; pending: boolean; onRevoke: () => void }) {
  const name = describeBrowser(session.user_agent);
  return (
    <li className="flex flex-wrap items-center gap-3 p-4">
      <Laptop className="size-5 text-muted-foreground" aria-hidden="true" />
      <div className="min-w-0 flex-1">
        <p className="flex items-center gap-2 font-medium">
          {name}
          {session.current ? <Badge>This browser</Badge> : null}
        </p>
        <p className="text-sm text-muted-foreground">
          {session.ip ?? "Unknown IP"} · signed in {formatDateTime(session.created_at)} · last seen{" "}
          <time dateTime={session.last_seen_at}>{formatRelative(session.last_seen_at)}</time>
        </p>
      </div>
      {session.current ? null : (
        <ConfirmDialog
          title="Revoke this session?"
          description={`${name} at ${session.ip ?? "an unknown IP"} will be signed out.`}
          confirmLabel="Revoke session"
          onConfirm={onRevoke}
          trigger={
            <Button variant="outline" size="sm" disabled={pending} aria-label={`Revoke ${name} session`}>
              <MonitorX aria-hidden="true" />
              Revoke
            </Button>
          }
        />
      )}
    </li>
  );
}
