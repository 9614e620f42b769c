import { History } from "lucide-react";
import { useState } from "react";

import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { ACTIVITY_PAGE_SIZE, useServerActivity } from "@/features/game-servers/api/activity";
import type { ServerTabProps } from "@/features/game-servers/components/server-tabs";
import { describeMetadata, eventFilter } from "@/features/game-servers/lib/activity";
import { formatDateTime, formatRelative } from "@/lib/format";

type Source = "all" | "flamingo" | "wings";

/** The server's log: what people did here and what Wings reported, newest first, filterable. */
export function ActivityTab({ org, detail }: ServerTabProps) {
  const [typed, setTyped] = useState("");
  const [event, setEvent] = useState<string | undefined>(undefined);
  const [source, setSource] = useState<Source>("all");
  const [page, setPage] = useState(1);
  const activity = useServerActivity(org, detail.server.id, { event, page });
  const items = (activity.data?.items ?? []).filter((e) => source === "all" || e.source === source);
  const total = activity.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / ACTIVITY_PAGE_SIZE));

  return (
    <section aria-labelledby="activity-heading" className="space-y-4">
      <h2 id="activity-heading" className="text-lg font-semibold">
        Activity
      </h2>
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          setEvent(eventFilter(typed));
          setPage(1);
        }}
      >
        <div className="space-y-1">
          <Label htmlFor="activity-event">Event</Label>
          <Input
            id="activity-event"
            placeholder="server:power"
            value={typed}
            onChange={(e) => {
              setTyped(e.target.value);
            }}
            className="w-56"
          />
        </div>
        <div className="space-y-1">
          <Label htmlFor="activity-source">From</Label>
          <select
            id="activity-source"
            className="h-9 rounded-md border border-input bg-transparent px-2 text-sm dark:bg-input/30"
            value={source}
            onChange={(e) => {
              setSource(e.target.value as Source);
            }}
          >
            <option value="all">Everyone</option>
            <option value="flamingo">Flamingo</option>
            <option value="wings">Wings</option>
          </select>
        </div>
        <Button type="submit" variant="outline">
          Filter
        </Button>
      </form>
      {activity.isPending ? (
        <ListSkeleton label="Loading the activity log" rows={5} />
      ) : activity.isError ? (
        <ErrorState title="Could not load the activity log" error={activity.error} onRetry={() => void activity.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState icon={History} title={event || source !== "all" ? "Nothing matches" : "Nothing has happened yet"}>
          {event || source !== "all" ? "Try another filter." : "Power actions, file changes and Wings' reports show here."}
        </EmptyState>
      ) : (
        <ol className="divide-y rounded-lg border" aria-label="Activity entries">
          {items.map((entry) => (
            <li key={entry.id} className="flex flex-wrap items-start gap-x-4 gap-y-1 px-4 py-3 text-sm">
              <code className="font-mono text-xs font-medium">{entry.event}</code>
              <Badge variant={entry.source === "wings" ? "secondary" : "outline"}>
                {entry.source === "wings" ? "Wings" : "Flamingo"}
              </Badge>
              <span className="text-muted-foreground">{entry.user_name ?? (entry.user_id ? "A user" : "System")}</span>
              {entry.ip ? <span className="text-muted-foreground">{entry.ip}</span> : null}
              <time className="ml-auto text-muted-foreground" dateTime={entry.created_at} title={formatDateTime(entry.created_at)}>
                {formatRelative(entry.created_at)}
              </time>
              {Object.keys(entry.metadata).length > 0 ? (
                <p className="w-full font-mono text-xs break-all text-muted-foreground">{describeMetadata(entry.metadata)}</p>
              ) : null}
            </li>
          ))}
        </ol>
      )}
      {pages > 1 ? (
        <nav aria-label="Activity pages" className="flex items-center gap-2">
          <Button variant="outline" size="sm" disabled={page <= 1} onClick={() => { setPage(page - 1); }}>
            Newer
          </Button>
          <span className="text-sm text-muted-foreground">
            Page {page} of {pages}
          </span>
          <Button variant="outline" size="sm" disabled={page >= pages} onClick={() => { setPage(page + 1); }}>
            Older
          </Button>
        </nav>
      ) : null}
    </section>
  );
}
