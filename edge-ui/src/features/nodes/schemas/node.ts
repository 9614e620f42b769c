import { z } from "zod";

import { nameRule } from "@/lib/validation";

/** A node as `GET /api/orgs/{org}/nodes` lists it (never its token). */
export const nodeSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  fqdn: z.string(),
  scheme: z.string(),
  daemon_port: z.number(),
  sftp_port: z.number(),
  upload_limit: z.number(),
  maintenance: z.boolean(),
  memory: z.number().nullable(),
  disk: z.number().nullable(),
  token_id: z.string(),
  allocations: z.number(),
  allocations_used: z.number(),
  servers: z.number(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type NodeRow = z.infer<typeof nodeSchema>;

/** `GET …/nodes/{node}/configuration?format=json`: what goes in `/etc/pelican/config.yml`, and how. */
export const nodeConfigurationSchema = z.object({
  yaml: z.string(),
  install_command: z.string(),
  configure_command: z.string(),
});
export type NodeConfigurationView = z.infer<typeof nodeConfigurationSchema>;

/** The part of `GET …/nodes/{node}/system` the pages show: Wings' version and what the machine uses now. */
export const nodeSystemSchema = z.object({
  system: z.object({ version: z.string() }).loose(),
  utilization: z.object({
    memory_total: z.number(),
    memory_used: z.number(),
    cpu_percent: z.number(),
    disk_total: z.number(),
    disk_used: z.number(),
  }).loose(),
});
export type NodeSystemView = z.infer<typeof nodeSystemSchema>;

/** An allocation as `GET …/nodes/{node}/allocations` lists it. */
export const allocationSchema = z.object({
  id: z.string(),
  node_id: z.string(),
  ip: z.string(),
  alias: z.string().nullable(),
  port: z.number(),
  notes: z.string().nullable(),
  server_id: z.string().nullable(),
  server_name: z.string().nullable(),
  created_at: z.string(),
});
export type AllocationRow = z.infer<typeof allocationSchema>;

const FQDN_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** A host name or an IP address, as the API's `node::fqdn` checks it. */
export function fqdnProblem(value: string): string | undefined {
  const v = value.trim();
  if (v === "") return "Enter the host name or IP address where Wings listens.";
  if (v.length > 253) return "Use at most 253 characters.";
  if (/^[0-9.]+$/.test(v) || v.includes(":")) return undefined;
  return v.split(".").every((label) => FQDN_LABEL.test(label)) ? undefined : "Enter a host name like node1.example.com or an IP address.";
}

const port = (what: string) =>
  z.coerce
    .number({ error: `Enter the ${what} port.` })
    .int("Use a whole number.")
    .min(1, "Use a port between 1 and 65535.")
    .max(65535, "Use a port between 1 and 65535.");

const mib = z.coerce.number().int("Use a whole number.").min(1, "Use at least 1 MiB.").max(1_048_576, "Use at most 1048576 MiB.");

/** The "Add node" form: `POST /api/orgs/{org}/nodes`'s body. */
export const newNodeSchema = z.object({
  name: nameRule,
  description: z.string().max(1000, "Use at most 1000 characters."),
  fqdn: z.string().superRefine((value, ctx) => {
    const problem = fqdnProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  scheme: z.enum(["https", "http"]),
  daemon_port: port("Wings API"),
  sftp_port: port("SFTP"),
  upload_limit: mib,
});
export type NewNodeValues = z.infer<typeof newNodeSchema>;
export type NewNodeInput = z.input<typeof newNodeSchema>;
