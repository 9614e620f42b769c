/**
 * The subuser permissions (`edge-api/src/game/permission.rs`), grouped and
 * described as Pelican's panel groups them, in its order.
 */
export type PermissionGroup = {
  id: string;
  title: string;
  description: string;
  permissions: readonly { key: string; description: string }[];
};

export const PERMISSION_GROUPS: readonly PermissionGroup[] = [
  {
    id: "control",
    title: "Control",
    description: "The server's console and power.",
    permissions: [
      { key: "control.console", description: "Send commands to the server's console." },
      { key: "control.start", description: "Start the server when it is stopped." },
      { key: "control.stop", description: "Stop or kill the server." },
      { key: "control.restart", description: "Restart the server." },
    ],
  },
  {
    id: "websocket",
    title: "Websocket",
    description: "The live console.",
    permissions: [{ key: "websocket.connect", description: "See the console's output and the live figures." }],
  },
  {
    id: "user",
    title: "Subusers",
    description: "Other people's access to this server.",
    permissions: [
      { key: "user.read", description: "See the subusers and their permissions." },
      { key: "user.create", description: "Add subusers (with at most their own permissions)." },
      { key: "user.update", description: "Change other subusers' permissions." },
      { key: "user.delete", description: "Remove subusers." },
    ],
  },
  {
    id: "file",
    title: "Files",
    description: "The server's files, in the panel and over SFTP.",
    permissions: [
      { key: "file.read", description: "List files and folders." },
      { key: "file.read-content", description: "Open and download files." },
      { key: "file.create", description: "Create and upload files and folders." },
      { key: "file.update", description: "Edit, rename, move and change the permissions of files." },
      { key: "file.delete", description: "Delete files and folders." },
      { key: "file.archive", description: "Make and unpack archives." },
      { key: "file.sftp", description: "Sign in over SFTP (with the other file permissions)." },
    ],
  },
  {
    id: "backup",
    title: "Backups",
    description: "The server's backups.",
    permissions: [
      { key: "backup.read", description: "See the backups." },
      { key: "backup.create", description: "Take backups." },
      { key: "backup.delete", description: "Delete, lock and unlock backups." },
      { key: "backup.download", description: "Download backups." },
      { key: "backup.restore", description: "Restore a backup over the server's files." },
    ],
  },
  {
    id: "allocation",
    title: "Network",
    description: "The server's ports.",
    permissions: [
      { key: "allocation.read", description: "See the server's allocations." },
      { key: "allocation.create", description: "Add allocations to the server." },
      { key: "allocation.update", description: "Change the default allocation and notes." },
      { key: "allocation.delete", description: "Remove allocations from the server." },
    ],
  },
  {
    id: "startup",
    title: "Startup",
    description: "How the server starts.",
    permissions: [
      { key: "startup.read", description: "See the startup variables." },
      { key: "startup.update", description: "Change the variables the egg lets users change." },
      { key: "startup.docker-image", description: "Choose among the egg's docker images." },
    ],
  },
  {
    id: "database",
    title: "Databases",
    description: "The server's databases.",
    permissions: [
      { key: "database.read", description: "See the databases." },
      { key: "database.create", description: "Create databases." },
      { key: "database.update", description: "Rotate database passwords." },
      { key: "database.delete", description: "Delete databases." },
      { key: "database.view-password", description: "See database passwords." },
    ],
  },
  {
    id: "schedule",
    title: "Schedules",
    description: "Tasks that run on a timetable.",
    permissions: [
      { key: "schedule.read", description: "See schedules and their tasks." },
      { key: "schedule.create", description: "Create schedules." },
      { key: "schedule.update", description: "Change and run schedules." },
      { key: "schedule.delete", description: "Delete schedules." },
    ],
  },
  {
    id: "settings",
    title: "Settings",
    description: "The server's own settings.",
    permissions: [
      { key: "settings.rename", description: "Rename the server." },
      { key: "settings.description", description: "Change the server's description." },
      { key: "settings.reinstall", description: "Reinstall the server." },
    ],
  },
  {
    id: "activity",
    title: "Activity",
    description: "The server's log.",
    permissions: [{ key: "activity.read", description: "See the server's activity log." }],
  },
  {
    id: "mount",
    title: "Mounts",
    description: "Folders of the node mounted into the server.",
    permissions: [
      { key: "mount.read", description: "See the mounts." },
      { key: "mount.update", description: "Change the mounts." },
    ],
  },
];

export const ALL_PERMISSIONS: readonly string[] = PERMISSION_GROUPS.flatMap((g) => g.permissions.map((p) => p.key));
