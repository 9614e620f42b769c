import {
  LayoutDashboard,
  Gamepad2,
  Cable,
  Server,
  ScrollText,
  Settings,
  type LucideIcon,
} from "lucide-react";

/** One entry of the main navigation; every path lives under the organization. */
export type NavItem = {
  title: string;
  to:
    | "/o/$org"
    | "/o/$org/game-servers"
    | "/o/$org/tunnels"
    | "/o/$org/vps"
    | "/o/$org/audit-log"
    | "/o/$org/settings";
  icon: LucideIcon;
};

/** The sidebar's sections, in order. */
export const NAV_ITEMS: readonly NavItem[] = [
  { title: "Dashboard", to: "/o/$org", icon: LayoutDashboard },
  { title: "Game servers", to: "/o/$org/game-servers", icon: Gamepad2 },
  { title: "Tunnels", to: "/o/$org/tunnels", icon: Cable },
  { title: "VPS fleet", to: "/o/$org/vps", icon: Server },
  { title: "Audit log", to: "/o/$org/audit-log", icon: ScrollText },
  { title: "Settings", to: "/o/$org/settings", icon: Settings },
];
