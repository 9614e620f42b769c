import { Laptop, LogOut, MonitorX } from "lucide-react";

import type { SessionInfo } from "@/api/generated/SessionInfo";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { useRevokeOtherSessions, useRevokeSession, useSessions } from "@/features/sessions/api/sessions";
import { describeBrowser } from "@/features/sessions/utils/describe-browser";
import { formatDateTime, formatRelative } from "@/lib/format";

/** Where the user is signed in; any other session can be revoked. */
export function SessionsList() {
  const sessions = useSessions();
  const revoke = useRevokeSession();
  const revokeOthers = useRevokeOtherSessions();

  if (sessions.isPending) return <ListSkeleton label="Loading sessions…" />;
  if (sessions.isError)
    return <ErrorState title="Could not load your sessions." error={sessions.error} onRetry={() => void sessions.refetch()} />;
  if (sessions.data.length === 0) return <EmptyState icon={Laptop} title="No active sessions" />;

  const others = sessions.data.filter((session) => !session.current).length;
  return (
    <div className="grid gap-4">
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
      {others > 0 ? (
        <div>
          <ConfirmDialog
            title="Sign out all other sessions?"
            description={
              others === 1
                ? "The other browser signed in to your account will be signed out. This one stays signed in."
                : `The ${String(others)} other browsers signed in to your account will be signed out. This one stays signed in.`
            }
            confirmLabel="Sign out other sessions"
            onConfirm={() => {
              revokeOthers.mutate();
            }}
            trigger={
              <Button variant="outline" disabled={revokeOthers.isPending}>
                <LogOut aria-hidden="true" />
                Sign out all other sessions
              </Button>
            }
          />
        </div>
      ) : null}
    </div>
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
