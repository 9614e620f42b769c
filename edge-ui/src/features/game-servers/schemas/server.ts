import { z } from "zod";

import type { ActivityEntry } from "@/api/generated/ActivityEntry";
import type { FileStat } from "@/api/generated/FileStat";

/**
 * A server's build limits (MiB, percent of a core, I/O weight). The API
 * sends `threads` and `oom_killer` as null when unset, which the generated
 * `Limits` type (optional) does not say.
 */
export const limitsSchema = z.object({
  memory: z.number(),
  swap: z.number(),
  disk: z.number(),
  io: z.number(),
  cpu: z.number(),
  threads: z.string().nullish(),
  oom_killer: z.boolean().nullish(),
  backup_limit: z.number().nullish(),
});

/** An allocation (ip:port) a server holds. The generated type says bigint; JSON carries a number. */
export const serverAllocationSchema = z.object({
  id: z.string(),
  ip: z.string(),
  alias: z.string().nullable(),
  port: z.number(),
  is_default: z.boolean(),
});
export type ServerAllocationView = z.infer<typeof serverAllocationSchema>;

/** A game server as `GET /api/orgs/{org}/servers` lists it. */
export const gameServerSchema = z.object({
  id: z.string(),
  short_id: z.string(),
  name: z.string(),
  description: z.string(),
  node_id: z.string(),
  node_name: z.string(),
  egg_id: z.string(),
  egg_name: z.string(),
  owner_id: z.string().nullable(),
  owner_name: z.string().nullable(),
  status: z.string().nullable(),
  container_state: z.string().nullable(),
  state_at: z.string().nullable(),
  limits: limitsSchema,
  docker_image: z.string(),
  startup: z.string(),
  environment: z.record(z.string(), z.string()),
  allocation: serverAllocationSchema,
  created_at: z.string(),
  updated_at: z.string(),
  installed_at: z.string().nullable(),
});
export type GameServerView = z.infer<typeof gameServerSchema>;

export const serverPageSchema = z.object({
  items: z.array(gameServerSchema),
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
});

/** `GET /api/orgs/{org}/servers/{server}`: the server, its allocations and the caller's permissions. */
export const serverDetailSchema = z.object({
  server: gameServerSchema,
  allocations: z.array(serverAllocationSchema),
  permissions: z.array(z.string()).nullable(),
});
export type ServerDetailView = z.infer<typeof serverDetailSchema>;

/** One server's live figures in `GET /api/orgs/{org}/servers/utilization`. */
export const serverUtilizationSchema = z.object({
  state: z.string(),
  cpu_absolute: z.number(),
  memory_bytes: z.number(),
  memory_limit_bytes: z.number(),
  disk_bytes: z.number(),
  network_rx_bytes: z.number(),
  network_tx_bytes: z.number(),
  uptime_ms: z.number(),
});
export type ServerUtilization = z.infer<typeof serverUtilizationSchema>;

/** `GET /api/orgs/{org}/servers/utilization`: nodes up or down, and the figures of servers on nodes that answered. */
export const utilizationSchema = z.object({
  nodes: z.record(z.string(), z.object({ online: z.boolean(), error: z.string().optional() })),
  servers: z.record(z.string(), serverUtilizationSchema),
});
export type Utilization = z.infer<typeof utilizationSchema>;

/** One directory entry, as Wings describes it. */
export const fileStatSchema = z.object({
  name: z.string(),
  created: z.string(),
  modified: z.string(),
  mode: z.string(),
  mode_bits: z.string(),
  size: z.number(),
  directory: z.boolean(),
  file: z.boolean(),
  symlink: z.boolean(),
  mime: z.string(),
}) satisfies z.ZodType<FileStat>;

/** A signed, single-use Wings URL. */
export const signedUrlSchema = z.object({ url: z.string() });

/** One entry of the server's activity log. */
export const activityEntrySchema = z.object({
  id: z.string(),
  event: z.string(),
  user_id: z.string().nullable(),
  user_name: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
  source: z.string(),
  created_at: z.string(),
}) satisfies z.ZodType<ActivityEntry>;

export const activityPageSchema = z.object({
  items: z.array(activityEntrySchema),
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
});
