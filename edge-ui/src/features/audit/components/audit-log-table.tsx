import { ChevronLeft, ChevronRight, ScrollText } from "lucide-react";

import type { AuditEntry } from "@/api/generated/AuditEntry";
import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Button } from "@/components/ui/button";
import { useAuditLog, type AuditQuery } from "@/features/audit/api/get-audit-log";
import { AUDIT_PAGE_SIZE } from "@/features/audit/schemas/audit";
import { describeEntry } from "@/features/audit/utils/describe-action";
import { formatDateTime, formatRelative } from "@/lib/format";

type AuditLogTableProps = {
  org: string;
  filters: Omit<AuditQuery, "limit" | "offset">;
  page: number;
  filtered: boolean;
  onPageChange: (page: number) => void;
};

/** One page of the audit log, newest first, with the total and paging. */
export function AuditLogTable({ org, filters, page, filtered, onPageChange }: AuditLogTableProps) {
  const audit = useAuditLog(org, { ...filters, limit: AUDIT_PAGE_SIZE, offset: (page - 1) * AUDIT_PAGE_SIZE });

  if (audit.isPending) return <ListSkeleton label="Loading the audit log…" rows={6} />;
  if (audit.isError)
    return <ErrorState title="Could not load the audit log." error={audit.error} onRetry={() => void audit.refetch()} />;

  const { items, total, offset } = audit.data;
  if (items.length === 0)
    return (
      <EmptyState icon={ScrollText} title={filtered ? "No entries match these filters" : "Nothing has happened yet"}>
        {filtered ? "Try a wider date range or another action." : "Changes to this organization will be listed here."}
      </EmptyState>
    );

  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
  return (
    <div className="grid gap-4" aria-busy={audit.isFetching}>
      <DataTable label="Audit log entries" columns={AUDIT_COLUMNS} rows={items} rowKey={(entry) => entry.id} />
      <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
        <p className="text-muted-foreground" aria-live="polite">
          Showing {offset + 1}–{offset + items.length} of {total} {total === 1 ? "entry" : "entries"}
        </p>
        <nav aria-label="Audit log pages" className="flex items-center gap-2">
          <Button
            variant="outline"
            size="sm"
            disabled={page <= 1}
            onClick={() => {
              onPageChange(page - 1);
            }}
          >
            <ChevronLeft aria-hidden="true" />
            Previous
          </Button>
          <span className="text-muted-foreground">
            Page {page} of {pages}
          </span>
          <Button
            variant="outline"
            size="sm"
            disabled={page >= pages}
            onClick={() => {
              onPageChange(page + 1);
            }}
          >
            Next
            <ChevronRight aria-hidden="true" />
          </Button>
        </nav>
      </div>
    </div>
  );
}

/** What the audit log shows of each entry; the first column titles each row on phones. */
const AUDIT_COLUMNS: readonly DataColumn<AuditEntry>[] = [
  {
    id: "when",
    header: "When",
    className: "text-muted-foreground",
    cell: (entry) => (
      <time dateTime={entry.created_at} title={formatDateTime(entry.created_at)}>
        {formatRelative(entry.created_at)}
      </time>
    ),
  },
  {
    id: "who",
    header: "Who",
    cell: (entry) => (
      <>
        <div className="font-medium">{entry.actor_name ?? "System"}</div>
        {entry.actor_email ? <div className="text-xs text-muted-foreground">{entry.actor_email}</div> : null}
      </>
    ),
  },
  {
    id: "what",
    header: "What",
    cell: (entry) => (
      <>
        <div>{describeEntry(entry)}</div>
        <code className="font-mono text-xs text-muted-foreground">{entry.action}</code>
      </>
    ),
  },
  {
    // Details wrap, so they can be read whole without hovering.
    id: "details",
    header: "Details",
    hideBelow: "4xl",
    className: "max-w-xs font-mono text-xs break-words whitespace-normal text-muted-foreground",
    stackedClassName: "font-mono text-xs",
    cell: (entry) => metadataText(entry.metadata),
  },
  {
    id: "ip",
    header: "IP",
    hideBelow: "3xl",
    className: "font-mono text-xs text-muted-foreground",
    stackedClassName: "font-mono text-xs",
    cell: (entry) => entry.ip ?? "—",
  },
];

function metadataText(metadata: AuditEntry["metadata"]): string {
  if (metadata === null) return "—";
  if (typeof metadata === "object" && !Array.isArray(metadata)) {
    const parts = Object.entries(metadata).map(([key, value]) => `${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`);
    return parts.length > 0 ? parts.join(", ") : "—";
  }
  return JSON.stringify(metadata);
}
