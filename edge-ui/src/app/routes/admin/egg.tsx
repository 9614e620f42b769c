import { Link, createRoute } from "@tanstack/react-router";
import { Download } from "lucide-react";

import { orgRoute } from "@/app/routes/org";
import { PageHeader } from "@/components/page-header";
import { ErrorState, ListSkeleton } from "@/components/query-states";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { eggExportHref, useEgg } from "@/features/eggs/api/eggs";
import { VariablesEditor } from "@/features/eggs/components/variables-editor";
import { mayManageNodes } from "@/features/nodes/utils/access";
import { useMembership } from "@/lib/auth";
import { pageTitle } from "@/lib/page-title";

/** `/o/$org/eggs/$egg`: one egg, its images and commands, and its variables to edit. */
export const eggRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "eggs/$egg",
  component: EggPage,
});

function EggPage() {
  const { org, egg: id } = eggRoute.useParams();
  const egg = useEgg(org, id);
  const mayManage = mayManageNodes(useMembership(org)?.role);
  if (egg.isPending) return <ListSkeleton label="Loading the egg…" />;
  if (egg.isError)
    return (
      <>
        <title>{pageTitle("Egg")}</title>
        <PageHeader title="Egg" />
        <ErrorState title="Could not load this egg." error={egg.error} onRetry={() => void egg.refetch()} />
      </>
    );
  const d = egg.data.definition;
  return (
    <>
      <title>{pageTitle(d.name, "Eggs")}</title>
      <PageHeader
        title={d.name}
        description={
          <>
            <Link to="/o/$org/eggs" params={{ org }} className="underline underline-offset-4">
              Eggs
            </Link>
            {d.author ? ` · by ${d.author}` : null}
          </>
        }
      />
      <div className="grid gap-6">
        <Card>
          <CardHeader>
            <CardTitle role="heading" aria-level={2}>
              About
            </CardTitle>
            <CardDescription>{d.description || "No description."}</CardDescription>
            <CardAction className="flex gap-2">
              <Button variant="outline" asChild>
                <a href={eggExportHref(org, id, "json")} download>
                  <Download aria-hidden="true" />
                  Export JSON
                </a>
              </Button>
              <Button variant="outline" asChild>
                <a href={eggExportHref(org, id, "yaml")} download>
                  <Download aria-hidden="true" />
                  Export YAML
                </a>
              </Button>
            </CardAction>
          </CardHeader>
          <CardContent>
            <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
              <dt className="text-muted-foreground">Docker images</dt>
              <dd className="grid gap-1">
                {d.docker_images.map((image) => (
                  <span key={image.image}>
                    {image.label} <code className="font-mono text-xs text-muted-foreground">{image.image}</code>
                  </span>
                ))}
              </dd>
              <dt className="text-muted-foreground">Startup</dt>
              <dd className="grid gap-1">
                {d.startup_commands.map((command) => (
                  <code key={command.name} className="font-mono text-xs break-all">
                    {command.command}
                  </code>
                ))}
              </dd>
              <dt className="text-muted-foreground">UUID</dt>
              <dd className="font-mono text-xs">{d.uuid}</dd>
            </dl>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle role="heading" aria-level={2}>
              Variables
            </CardTitle>
            <CardDescription>
              What a server sets, with the rules every value must meet (Laravel&apos;s, as Pelican uses them).
            </CardDescription>
          </CardHeader>
          <CardContent>
            <VariablesEditor org={org} egg={egg.data} mayManage={mayManage} />
          </CardContent>
        </Card>
      </div>
    </>
  );
}
