import { Link } from "@tanstack/react-router";
import { Gamepad2, LogOut } from "lucide-react";
import type { ReactNode } from "react";

import { Brand } from "@/components/layout/brand";
import { ThemeMenu } from "@/components/theme/theme-menu";
import { Button } from "@/components/ui/button";
import { useLogout } from "@/features/auth/api/logout";

/**
 * The page frame for someone who is not a member of the organization but
 * owns or is a subuser of some of its servers: their servers, the theme and
 * signing out; none of the organization's own pages.
 */
export function GuestShell({ children }: { children: ReactNode }) {
  const logout = useLogout();
  return (
    <div className="flex min-h-svh flex-col">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-background px-3 py-2 focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:ring-2 focus:ring-ring"
      >
        Skip to content
      </a>
      <header className="sticky top-0 z-40 flex h-14 items-center gap-3 border-b bg-background/95 px-4 backdrop-blur md:px-6">
        <Brand />
        <nav aria-label="Main">
          <Button asChild variant="ghost" size="sm">
            <Link to="/servers">
              <Gamepad2 aria-hidden="true" />
              Your servers
            </Link>
          </Button>
        </nav>
        <div className="ml-auto flex items-center gap-1">
          <ThemeMenu />
          <Button
            variant="ghost"
            size="sm"
            onClick={() => {
              logout.mutate();
            }}
            disabled={logout.isPending}
          >
            <LogOut aria-hidden="true" />
            Sign out
          </Button>
        </div>
      </header>
      <main id="main" tabIndex={-1} className="flex-1 p-4 outline-none md:p-6">
        {children}
      </main>
    </div>
  );
}
