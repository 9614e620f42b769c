import type { LucideIcon } from "lucide-react";
import type { ReactNode } from "react";

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
};

/** One figure on the dashboard. */
export function StatCard({ title, icon: Icon, value, error, hint }: StatCardProps) {
  return (
    <Card className="gap-2">
      <CardHeader className="flex flex-row items-center justify-between">
        <CardTitle role="heading" aria-level={2} className="text-sm font-medium text-muted-foreground">
          {title}
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
