import { Link } from "@tanstack/react-router";
import { ScrollText } from "lucide-react";

import type { AuditEntry } from "@/api/generated/AuditEntry";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useAuditLog } from "@/features/audit/api/get-audit-log";
import { describeEntry } from "@/features/audit/utils/describe-action";
import { formatDateTime, formatRelative } from "@/lib/format";

const RECENT = 10;

/** The dashboard's last ten audit entries. */
export function RecentActivityCard({ org }: { org: string }) {
  const audit = useAuditLog(org, { limit: RECENT, offset: 0 });
  const namesakes = sharedNames(audit.data?.items ?? []);

  return (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Recent activity
        </CardTitle>
        <CardDescription>The last {RECENT} changes in this organization.</CardDescription>
        <CardAction>
          <Button asChild variant="ghost" size="sm">
            <Link to="/o/$org/audit-log" params={{ org }}>
              View all
            </Link>
          </Button>
        </CardAction>
      </CardHeader>
      <CardContent>
        {audit.isPending ? (
          <ListSkeleton label="Loading recent activity…" rows={4} />
        ) : audit.isError ? (
          <ErrorState title="Could not load recent activity." error={audit.error} onRetry={() => void audit.refetch()} />
        ) : audit.data.items.length === 0 ? (
          <EmptyState icon={ScrollText} title="Nothing has happened yet" />
        ) : (
          <ol aria-label="Recent activity" className="divide-y">
            {audit.data.items.map((entry) => (
              <li key={entry.id} className="flex items-baseline justify-between gap-3 py-2 text-sm">
                <span className="min-w-0 break-words">
                  <span className="font-medium">{entry.actor_name ?? "System"}</span>
                  {namesakes.has(entry.actor_name ?? "") && entry.actor_email ? (
                    <span className="text-muted-foreground"> ({entry.actor_email})</span>
                  ) : null}{" "}
                  {describeEntry(entry)}.
                </span>
                <time
                  dateTime={entry.created_at}
                  title={formatDateTime(entry.created_at)}
                  className="shrink-0 text-xs text-muted-foreground"
                >
                  {formatRelative(entry.created_at)}
                </time>
              </li>
            ))}
          </ol>
        )}
      </CardContent>
    </Card>
  );
}

/** Names that more than one person in `entries` goes by: those entries also show the email. */
function sharedNames(entries: readonly AuditEntry[]): Set<string> {
  const emails = new Map<string, Set<string>>();
  for (const { actor_name, actor_email } of entries) {
    if (!actor_name || !actor_email) continue;
    const seen = emails.get(actor_name) ?? new Set<string>();
    seen.add(actor_email);
    emails.set(actor_name, seen);
  }
  return new Set([...emails].filter(([, seen]) => seen.size > 1).map(([name]) => name));
}
