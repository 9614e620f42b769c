import { describe, expect, it } from "vitest";

import { ALL_PERMISSIONS } from "@/features/server-subusers/schemas/permissions";

// edge-api/src/game/permission.rs `ALL`: the checklist offers exactly these, once each.
const API_PERMISSIONS = [
  "websocket.connect", "control.console", "control.start", "control.stop", "control.restart",
  "file.read", "file.read-content", "file.create", "file.update", "file.delete", "file.archive", "file.sftp",
  "backup.read", "backup.create", "backup.delete", "backup.download", "backup.restore",
  "schedule.read", "schedule.create", "schedule.update", "schedule.delete",
  "user.read", "user.create", "user.update", "user.delete",
  "database.read", "database.create", "database.update", "database.delete", "database.view-password",
  "allocation.read", "allocation.create", "allocation.update", "allocation.delete",
  "activity.read", "mount.read", "mount.update",
  "startup.read", "startup.update", "startup.docker-image",
  "settings.rename", "settings.description", "settings.reinstall",
];

describe("the subuser permission checklist", () => {
  it("offers every permission the API knows, once", () => {
    expect([...ALL_PERMISSIONS].sort()).toEqual([...API_PERMISSIONS].sort());
  });
});
