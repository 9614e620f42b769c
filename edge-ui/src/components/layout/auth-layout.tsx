import type { ReactNode } from "react";

import { Brand } from "@/components/layout/brand";
import { ThemeMenu } from "@/components/theme/theme-menu";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

/** The frame for pages outside an organization: sign-in, first run, joining. */
export function AuthLayout({
  title,
  description,
  children,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="flex min-h-svh flex-col bg-muted/40">
      <header className="flex items-center justify-between px-4 py-3 md:px-6">
        <Brand />
        <ThemeMenu />
      </header>
      <main id="main" className="flex flex-1 items-start justify-center px-4 pt-8 pb-16 md:pt-16">
        <Card className="w-full max-w-md">
          <CardHeader>
            <CardTitle role="heading" aria-level={1} className="text-xl">
              {title}
            </CardTitle>
            {description ? <CardDescription>{description}</CardDescription> : null}
          </CardHeader>
          <CardContent>{children}</CardContent>
        </Card>
      </main>
    </div>
  );
}
