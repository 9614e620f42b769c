import { Link } from "@tanstack/react-router";

import { NAV_ITEMS } from "@/components/layout/nav-items";

type SidebarNavProps = {
  org: string;
  /** Called after a link is followed, e.g. to close the mobile sheet. */
  onNavigate?: () => void;
};

/** The main navigation list; the current section is marked with aria-current. */
export function SidebarNav({ org, onNavigate }: SidebarNavProps) {
  return (
    <nav aria-label="Main">
      <ul className="flex flex-col gap-1">
        {NAV_ITEMS.map(({ title, to, icon: Icon }) => (
          <li key={to}>
            <Link
              to={to}
              params={{ org }}
              activeOptions={{ exact: to === "/o/$org", includeSearch: false }}
              onClick={onNavigate}
              className="flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium text-sidebar-foreground outline-none transition-colors hover:bg-sidebar-accent hover:text-sidebar-accent-foreground focus-visible:ring-2 focus-visible:ring-sidebar-ring aria-[current=page]:bg-sidebar-accent aria-[current=page]:text-sidebar-accent-foreground aria-[current=page]:[&>svg]:text-sidebar-primary"
            >
              <Icon className="size-4 shrink-0" aria-hidden="true" />
              {title}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
