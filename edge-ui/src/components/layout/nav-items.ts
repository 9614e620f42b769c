import {
  Building2,
  Cable,
  Egg,
  Gamepad2,
  HardDrive,
  LayoutDashboard,
  ScrollText,
  Server,
  Settings,
  type LucideIcon,
} from "lucide-react";

/** Every page path under an organization that navigation links to. */
export type OrgPath =
  | "/o/$org"
  | "/o/$org/game-servers"
  | "/o/$org/nodes"
  | "/o/$org/eggs"
  | "/o/$org/tunnels"
  | "/o/$org/tunnels/hosts"
  | "/o/$org/tunnels/names"
  | "/o/$org/vps"
  | "/o/$org/organization"
  | "/o/$org/organization/members"
  | "/o/$org/organization/invitations"
  | "/o/$org/organization/webhooks"
  | "/o/$org/audit-log"
  | "/o/$org/settings"
  | "/o/$org/settings/profile"
  | "/o/$org/settings/password"
  | "/o/$org/settings/two-factor"
  | "/o/$org/settings/sessions"
  | "/o/$org/settings/api-keys"
  | "/o/$org/settings/ssh-keys";

/** One entry of the main navigation; every path lives under the organization. */
export type NavItem = {
  title: string;
  to: OrgPath;
  icon: LucideIcon;
};

/** The sidebar's sections, in order. */
export const NAV_ITEMS: readonly NavItem[] = [
  { title: "Dashboard", to: "/o/$org", icon: LayoutDashboard },
  { title: "Game servers", to: "/o/$org/game-servers", icon: Gamepad2 },
  { title: "Nodes", to: "/o/$org/nodes", icon: HardDrive },
  { title: "Eggs", to: "/o/$org/eggs", icon: Egg },
  { title: "Tunnels", to: "/o/$org/tunnels", icon: Cable },
  { title: "VPS fleet", to: "/o/$org/vps", icon: Server },
  { title: "Organization", to: "/o/$org/organization", icon: Building2 },
  { title: "Audit log", to: "/o/$org/audit-log", icon: ScrollText },
  { title: "Settings", to: "/o/$org/settings", icon: Settings },
];
