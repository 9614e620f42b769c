import { Link } from "@tanstack/react-router";
import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";

import type { OrgPath } from "@/components/layout/nav-items";

import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";

type StatCardProps = {
  title: string;
  icon: LucideIcon;
  /** The figure; undefined while loading. */
  value: ReactNode;
  /** Shown instead of the figure when it could not be loaded. */
  error?: string;
  hint?: ReactNode;
  /** The page the figure comes from; the whole card links there. */
  link?: { to: OrgPath; org: string };
};

/** One figure on the dashboard. */
export function StatCard({ title, icon: Icon, value, error, hint, link }: StatCardProps) {
  return (
    <Card className={link ? "relative gap-2 transition-colors hover:bg-accent/50" : "gap-2"}>
      <CardHeader className="flex flex-row items-center justify-between">
        <CardTitle role="heading" aria-level={2} className="text-sm font-medium text-muted-foreground">
          {link ? (
            // The link's box covers the card, so the whole card is one click target.
            <Link
              to={link.to}
              params={{ org: link.org }}
              className="rounded-xl outline-none after:absolute after:inset-0 after:rounded-xl focus-visible:after:ring-2 focus-visible:after:ring-ring"
            >
              {title}
            </Link>
          ) : (
            title
          )}
        </CardTitle>
        <Icon className="size-4 text-muted-foreground" aria-hidden="true" />
      </CardHeader>
      <CardContent>
        {error ? (
          <p role="alert" className="text-sm text-destructive">
            {error}
          </p>
        ) : value === undefined ? (
          <div role="status">
            <span className="sr-only">Loading {title.toLowerCase()}…</span>
            <Skeleton className="h-8 w-16" />
          </div>
        ) : (
          <p className="text-2xl font-semibold">{value}</p>
        )}
        {hint ? <p className="mt-1 text-xs text-muted-foreground">{hint}</p> : null}
      </CardContent>
    </Card>
  );
}
