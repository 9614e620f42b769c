import { Fragment, useRef, type ReactNode } from "react";

import { TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { useNarrowerThan, useOverflowsSideways } from "@/lib/use-measure";
import { cn } from "@/lib/utils";

/**
 * Below this width (of the table's own box, not the window) rows are stacked
 * as cards: a phone, or a tablet beside the sidebar.
 */
export const STACK_BELOW_PX = 640;

/**
 * Hides a column in the table layout while the table is narrower than a
 * container size (Tailwind's `@3xl` = 48rem, `@4xl` = 56rem, `@5xl` = 64rem).
 * Stacked rows still show it. Whole class names, so Tailwind finds them.
 */
const HIDE_BELOW = {
  "3xl": "hidden @3xl:table-cell",
  "4xl": "hidden @4xl:table-cell",
  "5xl": "hidden @5xl:table-cell",
} as const;

/** One column of a {@link DataTable}. */
export type DataColumn<T> = {
  /** Stable key for the column. */
  id: string;
  /** The column's heading; on phones it labels the value in each stacked row. */
  header: string;
  /** What the column shows for a row. */
  cell: (row: T) => ReactNode;
  /** Leaves the column out of the table layout while the table is narrower than this. */
  hideBelow?: keyof typeof HIDE_BELOW;
  /** Right-aligns heading and cells (numbers). */
  align?: "right";
  /** Extra classes for the table layout's cells (e.g. `font-mono`, `max-w-48 truncate`). */
  className?: string;
  /** Extra classes for the value in a stacked row (e.g. `break-all` for long tokens). */
  stackedClassName?: string;
};

type DataTableProps<T> = {
  /** Names the table (and its list on phones, and its scroll region when it scrolls). */
  label: string;
  /** The columns; the first one titles each stacked row on phones. */
  columns: readonly DataColumn<T>[];
  rows: readonly T[];
  rowKey: (row: T) => string;
  /**
   * The row's buttons (remove, revoke, kick...). Always reachable: pinned to the
   * table's right edge when it scrolls sideways, beside the row's title on phones.
   */
  actions?: (row: T) => ReactNode;
  /** A note under the table. */
  caption?: ReactNode;
};

/**
 * The app's one table: a real table where there is room, stacked rows where
 * there is not, with every row's actions in view either way.
 */
export function DataTable<T>(props: DataTableProps<T>) {
  const box = useRef<HTMLDivElement>(null);
  const narrow = useNarrowerThan(box, STACK_BELOW_PX);
  return (
    <div ref={box} data-slot="data-table" data-layout={narrow ? "stacked" : "table"} className="@container w-full min-w-0">
      {narrow ? <StackedRows {...props} /> : <WideTable {...props} />}
    </div>
  );
}

function WideTable<T>({ label, columns, rows, rowKey, actions, caption }: DataTableProps<T>) {
  const scroller = useRef<HTMLDivElement>(null);
  const scrolls = useOverflowsSideways(scroller);
  // A region that scrolls must be reachable by keyboard (and say what it is).
  const scrollRegion = scrolls ? { role: "region", "aria-label": `${label} (scrolls sideways)`, tabIndex: 0 } : {};
  const pinned = cn("sticky right-0 bg-card text-right", scrolls && "shadow-[-10px_0_10px_-10px_rgb(0_0_0/0.35)]");
  return (
    <div
      ref={scroller}
      data-slot="table-container"
      className="relative w-full overflow-x-auto rounded-md outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
      {...scrollRegion}
    >
      <table data-slot="table" aria-label={label} className="w-full caption-bottom text-sm">
        {caption ? <TableCaption>{caption}</TableCaption> : null}
        <TableHeader>
          <TableRow>
            {columns.map((column) => (
              <TableHead
                key={column.id}
                className={cn(column.hideBelow && HIDE_BELOW[column.hideBelow], column.align === "right" && "text-right")}
              >
                {column.header}
              </TableHead>
            ))}
            {actions ? (
              <TableHead className={pinned}>
                <span className="sr-only">Actions</span>
              </TableHead>
            ) : null}
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((row) => (
            <TableRow key={rowKey(row)}>
              {columns.map((column) => (
                <TableCell
                  key={column.id}
                  className={cn(
                    column.hideBelow && HIDE_BELOW[column.hideBelow],
                    column.align === "right" && "text-right tabular-nums",
                    column.className,
                  )}
                >
                  {column.cell(row)}
                </TableCell>
              ))}
              {actions ? (
                <TableCell className={pinned}>
                  <div className="flex items-center justify-end gap-1">{actions(row)}</div>
                </TableCell>
              ) : null}
            </TableRow>
          ))}
        </TableBody>
      </table>
    </div>
  );
}

function StackedRows<T>({ label, columns, rows, rowKey, actions, caption }: DataTableProps<T>) {
  const [title, ...details] = columns;
  return (
    <div className="grid gap-4">
      <ul aria-label={label} className="divide-y rounded-lg border">
        {rows.map((row) => (
          // One column no wider than the row (minmax(0, 1fr)): a long title (a URL, a key)
          // wraps inside it instead of widening the row and pushing its buttons off-screen.
          <li key={rowKey(row)} className="grid grid-cols-1 gap-2 p-3 text-sm">
            <div className="flex items-start justify-between gap-2">
              <div className={cn("min-w-0 break-words font-medium", title?.stackedClassName)}>{title?.cell(row)}</div>
              {actions ? <div className="-my-1 flex shrink-0 items-center gap-1">{actions(row)}</div> : null}
            </div>
            {details.length > 0 ? (
              <dl className="grid grid-cols-[max-content_minmax(0,1fr)] gap-x-4 gap-y-1">
                {details.map((column) => (
                  <Fragment key={column.id}>
                    <dt className="text-muted-foreground">{column.header}</dt>
                    <dd className={cn("min-w-0 break-words", column.stackedClassName)}>{column.cell(row)}</dd>
                  </Fragment>
                ))}
              </dl>
            ) : null}
          </li>
        ))}
      </ul>
      {caption ? <p className="text-sm text-muted-foreground">{caption}</p> : null}
    </div>
  );
}
