import { Link } from "@tanstack/react-router";
import { Download, Egg } from "lucide-react";

import { ConfirmIconButton } from "@/components/confirm-dialog";
import { DataTable, type DataColumn } from "@/components/data-table";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Button } from "@/components/ui/button";
import { eggExportHref, useDeleteEgg, useEggs } from "@/features/eggs/api/eggs";
import type { EggSummaryRow } from "@/features/eggs/schemas/egg";

function columns(org: string): DataColumn<EggSummaryRow>[] {
  return [
    {
      id: "name",
      header: "Name",
      cell: (egg) => (
        <Link to="/o/$org/eggs/$egg" params={{ org, egg: egg.id }} className="font-medium underline-offset-4 hover:underline">
          {egg.name}
        </Link>
      ),
    },
    { id: "author", header: "Author", hideBelow: "3xl", className: "text-muted-foreground", cell: (egg) => egg.author },
    {
      id: "description",
      header: "Description",
      hideBelow: "4xl",
      className: "max-w-96 truncate text-muted-foreground",
      cell: (egg) => egg.description,
    },
  ];
}

/** The organization's eggs, each exportable, deletable by those who manage them when unused. */
export function EggsTable({ org, mayManage }: { org: string; mayManage: boolean }) {
  const eggs = useEggs(org);
  const remove = useDeleteEgg(org);
  if (eggs.isPending) return <ListSkeleton label="Loading eggs…" />;
  if (eggs.isError)
    return <ErrorState title="Could not load the eggs." error={eggs.error} onRetry={() => void eggs.refetch()} />;
  if (eggs.data.length === 0)
    return (
      <EmptyState icon={Egg} title="No eggs yet">
        {mayManage
          ? "Import an egg file (Pelican or Pterodactyl, JSON or YAML) to make servers from it."
          : "An owner or admin can import eggs."}
      </EmptyState>
    );
  return (
    <DataTable
      label="Eggs"
      columns={columns(org)}
      rows={eggs.data}
      rowKey={(egg) => egg.id}
      actions={(egg) => (
        <>
          <Button variant="ghost" size="icon" asChild>
            <a href={eggExportHref(org, egg.id, "json")} download aria-label={`Export ${egg.name}`}>
              <Download aria-hidden="true" />
            </a>
          </Button>
          {mayManage ? (
            <ConfirmIconButton
              title={`Delete ${egg.name}?`}
              description="Servers made from it must be deleted first. Export it to keep a copy."
              confirmLabel="Delete egg"
              label={`Delete ${egg.name}`}
              disabled={remove.isPending && remove.variables.id === egg.id}
              onConfirm={() => {
                remove.mutate(egg);
              }}
            />
          ) : null}
        </>
      )}
    />
  );
}
