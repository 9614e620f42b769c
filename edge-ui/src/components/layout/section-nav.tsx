import { Link } from "@tanstack/react-router";

import type { OrgPath } from "@/components/layout/nav-items";

/** Tabs-like links between the pages of one section (e.g. Settings); the current page is marked. */
export function SectionNav({
  label,
  org,
  items,
}: {
  label: string;
  org: string;
  /** `exact` marks an item current only at its own path, for a section's index page. */
  items: readonly { title: string; to: OrgPath; exact?: boolean }[];
}) {
  return (
    <nav aria-label={label} className="mb-6 border-b">
      <ul className="-mb-px flex gap-1 overflow-x-auto">
        {items.map(({ title, to, exact = false }) => (
          <li key={to}>
            <Link
              to={to}
              params={{ org }}
              activeOptions={{ exact, includeSearch: false }}
              className="inline-flex h-10 items-center border-b-2 border-transparent px-3 text-sm font-medium whitespace-nowrap text-muted-foreground outline-none transition-colors hover:text-foreground focus-visible:rounded-sm focus-visible:ring-[3px] focus-visible:ring-ring/50 aria-[current=page]:border-primary aria-[current=page]:text-foreground"
            >
              {title}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
