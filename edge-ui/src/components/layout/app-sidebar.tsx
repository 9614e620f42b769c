import { Brand } from "@/components/layout/brand";
import { SidebarNav } from "@/components/layout/sidebar-nav";

/** The fixed sidebar shown on medium and wider screens. */
export function AppSidebar({ org }: { org: string }) {
  return (
    <aside className="sticky top-0 hidden h-svh w-60 shrink-0 flex-col gap-6 border-r border-sidebar-border bg-sidebar p-4 md:flex">
      <div className="px-2 pt-1">
        <Brand />
      </div>
      <SidebarNav org={org} />
    </aside>
  );
}
