import type { ReactNode } from "react";

import { AppHeader } from "@/components/layout/app-header";
import { AppSidebar } from "@/components/layout/app-sidebar";

type AppShellProps = {
  org: string;
  /** The organization switcher, shown in the header. */
  switcher: ReactNode;
  /** The account menu, shown in the header. */
  account: ReactNode;
  children: ReactNode;
};

/** The page frame for everything inside an organization. */
export function AppShell({ org, switcher, account, children }: AppShellProps) {
  return (
    <div className="flex min-h-svh">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-background px-3 py-2 focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:ring-2 focus:ring-ring"
      >
        Skip to content
      </a>
      <AppSidebar org={org} />
      <div className="flex min-w-0 flex-1 flex-col">
        <AppHeader org={org} switcher={switcher} account={account} />
        <main id="main" tabIndex={-1} className="flex-1 p-4 outline-none md:p-6">
          {children}
        </main>
      </div>
    </div>
  );
}
