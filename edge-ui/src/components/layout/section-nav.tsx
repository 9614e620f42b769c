import { Link, useRouterState } from "@tanstack/react-router";
import { useLayoutEffect, useRef } from "react";

import type { OrgPath } from "@/components/layout/nav-items";

/** Room kept beside the current tab when it is scrolled into view, so its neighbours show there is more. */
const PEEK_PX = 24;

/**
 * Tabs-like links between the pages of one section (e.g. Settings); the current page is marked.
 * On a narrow screen the strip scrolls sideways, and the current tab is always scrolled into view.
 */
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
  const strip = useRef<HTMLUListElement>(null);
  const pathname = useRouterState({ select: (state) => state.location.pathname });

  useLayoutEffect(() => {
    const list = strip.current;
    const current = list?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!list || !current) return;
    // Only the strip scrolls (scrollIntoView would scroll the page too).
    const start = current.offsetLeft;
    const end = start + current.offsetWidth;
    if (start - PEEK_PX < list.scrollLeft) list.scrollLeft = Math.max(0, start - PEEK_PX);
    else if (end + PEEK_PX > list.scrollLeft + list.clientWidth) list.scrollLeft = end + PEEK_PX - list.clientWidth;
  }, [pathname]);

  return (
    <nav aria-label={label} className="mb-6 border-b">
      <ul ref={strip} className="relative -mb-px flex gap-1 overflow-x-auto [scrollbar-width:thin]">
        {items.map(({ title, to, exact = false }) => (
          <li key={to} className="shrink-0">
            <Link
              to={to}
              params={{ org }}
              activeOptions={{ exact, includeSearch: false }}
              className="inline-flex h-10 items-center border-b-2 border-transparent px-3 text-sm font-medium whitespace-nowrap text-muted-foreground outline-none transition-colors hover:text-foreground focus-visible:rounded-sm focus-visible:ring-[3px] focus-visible:ring-inset focus-visible:ring-ring/50 aria-[current=page]:border-primary aria-[current=page]:text-foreground"
            >
              {title}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
