import { z } from "zod";

import type { CreatedTunnelHost } from "@/api/generated/CreatedTunnelHost";
import type { HostStatus } from "@/api/generated/HostStatus";
import type { KeyOwner } from "@/api/generated/KeyOwner";
import type { NewReservedName } from "@/api/generated/NewReservedName";
import type { NewTunnelHost } from "@/api/generated/NewTunnelHost";
import type { ReservedName } from "@/api/generated/ReservedName";
import type { Tunnel } from "@/api/generated/Tunnel";
import type { TunnelHost } from "@/api/generated/TunnelHost";
import type { User } from "@/api/generated/User";
import { nameRule } from "@/lib/validation";

/** An open tunnel, as `GET /api/orgs/{org}/tunnels` lists it. */
export const tunnelSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  public_url: z.string(),
  client_addr: z.string(),
  opened_at: z.string(),
  bytes_in: z.number(),
  bytes_out: z.number(),
  requests: z.number(),
  user: z.object({ id: z.string(), name: z.string().nullable(), email: z.string().nullable() }),
  host: z.object({ id: z.string(), name: z.string(), online: z.boolean() }),
}) satisfies z.ZodType<Tunnel>;

export const HOST_STATUSES = ["pending", "online", "offline"] as const satisfies readonly HostStatus[];

/** A tunnel host, as `GET /api/orgs/{org}/tunnel-hosts` lists it. */
export const tunnelHostSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(HOST_STATUSES),
  created_at: z.string(),
  last_seen_at: z.string().nullable(),
  enrolled_at: z.string().nullable(),
  // Absent from an edge older than the fields, as from a host that has not said.
  ssh_host: z.string().nullable().default(null),
  ssh_port: z.number().int().nullable().default(null),
  tunnel_domain: z.string().nullable().default(null),
}) satisfies z.ZodType<TunnelHost>;

/** A host just created: the only time its enrollment token is shown. */
export const createdTunnelHostSchema = z.object({
  host: tunnelHostSchema,
  enrollment_token: z.string(),
}) satisfies z.ZodType<CreatedTunnelHost>;

/** The "Add tunnel host" form, which is `POST /api/orgs/{org}/tunnel-hosts`'s body. */
export const newTunnelHostSchema = z.object({ name: nameRule }) satisfies z.ZodType<NewTunnelHost>;

export type NewTunnelHostValues = z.infer<typeof newTunnelHostSchema>;

const keyOwnerSchema = z.object({ id: z.string(), name: z.string(), email: z.string() }) satisfies z.ZodType<KeyOwner>;

/** A reserved name, as `GET /api/orgs/{org}/tunnel-names` lists it. */
export const reservedNameSchema = z.object({
  name: z.string(),
  user: keyOwnerSchema,
  created_at: z.string(),
}) satisfies z.ZodType<ReservedName>;

/** A DNS label, as the server checks it (`durable-state/src/names.rs`); it also refuses a few reserved words. */
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The reserve form: a name and the member it is for. */
export const newReservedNameSchema = z.object({
  name: z
    .string()
    .trim()
    .toLowerCase()
    .min(1, "Enter a name.")
    .refine((value) => value.length <= 63, "Use at most 63 characters.")
    .refine(
      (value) => DNS_LABEL.test(value),
      "Use lowercase letters, digits and dashes, not starting or ending with a dash.",
    ),
  user_id: z.string().min(1, "Choose a member."),
});

export type NewReservedNameValues = z.infer<typeof newReservedNameSchema>;

/** The form's values as `POST /api/orgs/{org}/tunnel-names`'s body. */
export function toNewReservedName(values: NewReservedNameValues): NewReservedName {
  return { name: values.name, user_id: values.user_id };
}

/** The command that enrolls a tunnel host with this edge. */
export function enrollCommand(origin: string, token: string): string {
  return `tunnel-host --edge ${origin} --enroll ${token}`;
}

/** A tunnel name to suggest: the user's email before the `@` as a DNS label, else `myapp`. */
export function suggestedName(user: Pick<User, "email">): string {
  const local = user.email.split("@")[0] ?? "";
  const label = local
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return label.length >= 3 ? label : "myapp";
}

/** The host's address as the commands need it: only once the host has reported it. */
export type ReachableHost = TunnelHost & { ssh_host: string; ssh_port: number; tunnel_domain: string };

/** Whether the host has reported where people reach it. */
export function reachable(host: TunnelHost): host is ReachableHost {
  return host.ssh_host !== null && host.ssh_port !== null && host.tunnel_domain !== null;
}

/** `ssh -R <name>:80:localhost:3000 -p <port> <host>`: local port 3000 as `<name>.<domain>`. */
export function httpCommand(host: ReachableHost, name: string): string {
  return `ssh -R ${name}:80:localhost:3000 -p ${String(host.ssh_port)} ${host.ssh_host}`;
}

/** `ssh -R 0:localhost:5432 -p <port> <host>`: local port 5432 on a public port the host picks. */
export function tcpCommand(host: ReachableHost): string {
  return `ssh -R 0:localhost:5432 -p ${String(host.ssh_port)} ${host.ssh_host}`;
}
