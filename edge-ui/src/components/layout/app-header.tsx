import { FlamingoMark } from "@/components/layout/flamingo-mark";
import { MobileNav } from "@/components/layout/mobile-nav";
import { OrgSwitcher } from "@/components/layout/org-switcher";
import { UserMenu } from "@/components/layout/user-menu";
import { ThemeMenu } from "@/components/theme/theme-menu";

/** Top bar: navigation on narrow screens, the organization, the theme and the account. */
export function AppHeader({ org }: { org: string }) {
  return (
    <header className="sticky top-0 z-40 flex h-14 items-center gap-2 border-b bg-background/95 px-4 backdrop-blur supports-[backdrop-filter]:bg-background/80 md:px-6">
      <MobileNav org={org} />
      <FlamingoMark className="size-6 md:hidden" />
      <OrgSwitcher org={org} />
      <div className="ml-auto flex items-center gap-1">
        <ThemeMenu />
        <UserMenu />
      </div>
    </header>
  );
}
