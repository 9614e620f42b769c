import { lazy, type ComponentType } from "react";

import type { Role } from "@/api/generated/Role";
import { ActivityTab } from "@/features/game-servers/components/activity-tab";
import { SchedulesTab } from "@/features/schedules/components/schedules-tab";
import { BackupsTab } from "@/features/server-backups/components/backups-tab";
import { SettingsTab } from "@/features/server-settings/components/settings-tab";
import { StartupTab } from "@/features/server-startup/components/startup-tab";
import { SubusersTab } from "@/features/server-subusers/components/subusers-tab";
import type { ServerDetailView } from "@/features/game-servers/schemas/server";

/** What every tab of the server page is given. */
export type ServerTabProps = {
  org: string;
  /** The server, its allocations and the caller's own permissions (`GET …/servers/{server}`). */
  detail: ServerDetailView;
  /** The caller's role in the organization, if a member. */
  role: Role | undefined;
  /** Whether the caller holds a Pelican permission string here (see lib/permissions). */
  can: (permission: string) => boolean;
  /** The Files tab's directory, from the page's `?path=`; other tabs may ignore it. */
  path: string | undefined;
};

// The console (xterm.js, uPlot) and files (CodeMirror) load when first opened, not with the app.
// eslint-disable-next-line react-refresh/only-export-components -- a lazy tab, not this module's export; the file is the tab registry
const ConsoleTab = lazy(() =>
  import("@/features/game-servers/components/console-tab").then((m) => ({ default: m.ConsoleTab })),
);
// eslint-disable-next-line react-refresh/only-export-components -- as above
const FilesTab = lazy(() =>
  import("@/features/game-servers/components/files-tab").then((m) => ({ default: m.FilesTab })),
);

/** One tab of the server page. */
export type ServerTab = {
  /** Its `?tab=` value in the address. */
  id: string;
  title: string;
  /** Shown only to a caller holding one of these (all see it when absent). */
  permissions?: readonly string[];
  component: ComponentType<ServerTabProps>;
};

/**
 * The server page's tabs, in order. To add one: write its component in your
 * own feature folder (it receives `ServerTabProps`), import it here, and add
 * one entry, e.g.
 * `{ id: "backups", title: "Backups", permissions: ["backup.read"], component: BackupsTab },`
 * The first tab the caller may see is the default.
 */
export const SERVER_TABS: readonly ServerTab[] = [
  { id: "console", title: "Console", permissions: ["websocket.connect"], component: ConsoleTab },
  { id: "files", title: "Files", permissions: ["file.read"], component: FilesTab },
  { id: "backups", title: "Backups", permissions: ["backup.read"], component: BackupsTab },
  { id: "schedules", title: "Schedules", permissions: ["schedule.read"], component: SchedulesTab },
  { id: "subusers", title: "Subusers", permissions: ["user.read"], component: SubusersTab },
  { id: "startup", title: "Startup", permissions: ["startup.read"], component: StartupTab },
  { id: "settings", title: "Settings", component: SettingsTab },
  { id: "activity", title: "Activity", permissions: ["activity.read"], component: ActivityTab },
];

/** The tabs the caller may see. */
export function visibleTabs(can: (permission: string) => boolean): ServerTab[] {
  return SERVER_TABS.filter((tab) => !tab.permissions || tab.permissions.some((p) => can(p)));
}
