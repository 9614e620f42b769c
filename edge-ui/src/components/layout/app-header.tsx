import type { ReactNode } from "react";

import { FlamingoMark } from "@/components/layout/flamingo-mark";
import { MobileNav } from "@/components/layout/mobile-nav";
import { ThemeMenu } from "@/components/theme/theme-menu";

type AppHeaderProps = {
  org: string;
  /** The organization switcher. */
  switcher: ReactNode;
  /** The account menu. */
  account: ReactNode;
};

/** Top bar: navigation on narrow screens, the organization, the theme and the account. */
export function AppHeader({ org, switcher, account }: AppHeaderProps) {
  return (
    <header className="sticky top-0 z-40 flex h-14 items-center gap-2 border-b bg-background/95 px-4 backdrop-blur supports-[backdrop-filter]:bg-background/80 md:px-6">
      <MobileNav org={org} />
      <FlamingoMark className="size-6 md:hidden" />
      {switcher}
      <div className="ml-auto flex items-center gap-1">
        <ThemeMenu />
        {account}
      </div>
    </header>
  );
}
