import type { AuditEntry } from "@/api/generated/AuditEntry";

type Metadata = AuditEntry["metadata"];

/** How one action reads: the sentence's verb phrase, and extra words a filter may use. */
type ActionWording = {
  /** "kicked a tunnel": what the actor did, with no details. */
  label: string;
  /** The same, with the entry's details where they say more ("kicked the tunnel myapp on vps-1"). */
  sentence?: (facts: Facts) => string | undefined;
  /** Other words people may type in the filter for this action ("2fa"). */
  words?: string;
};

/** The strings in an entry's metadata, by key. */
type Facts = Record<string, string | undefined>;

/**
 * Every action edge-api writes to the audit log (`action:` in its
 * `audit::Entry`s), worded as part of a sentence that starts with who did it.
 * `describe-action.test.ts` reads the Rust sources and fails when an action
 * has no wording here.
 */
export const ACTIONS = {
  "instance.setup": {
    label: "set up Flamingo",
    sentence: ({ organization }) => organization && `set up Flamingo with the organization ${organization}`,
    words: "first run install",
  },
  "organization.create": {
    label: "created an organization",
    sentence: ({ name }) => name && `created the organization ${name}`,
    words: "new org",
  },
  "organization.update": {
    label: "renamed the organization",
    sentence: ({ from, to }) => from && to && `renamed the organization from ${from} to ${to}`,
    words: "org name change",
  },
  "member.invite": {
    label: "invited someone",
    sentence: ({ email, role }) =>
      role && (email ? `invited ${email} as ${roleWord(role)}` : `created an invitation link for ${roleWord(role)}`),
    words: "invitation link",
  },
  "member.join": {
    label: "joined the organization",
    sentence: ({ role }) => role && `joined the organization as ${roleWord(role)}`,
    words: "member invitation accepted",
  },
  "member.role_change": {
    label: "changed a member's role",
    sentence: ({ from, to }) => from && to && `changed a member's role from ${from} to ${to}`,
    words: "promoted demoted",
  },
  "member.remove": {
    label: "removed a member",
    sentence: ({ role }) => role && `removed a member (${role})`,
    words: "kicked deleted",
  },
  "invitation.revoke": {
    label: "revoked an invitation",
    sentence: ({ email, role }) =>
      role && (email ? `revoked the invitation for ${email} (${role})` : `revoked an invitation link for ${roleWord(role)}`),
    words: "invite cancelled",
  },
  "api_key.create": {
    label: "created an API key",
    sentence: ({ name }) => name && `created the API key ${name}`,
    words: "token new",
  },
  "api_key.revoke": {
    label: "revoked an API key",
    sentence: ({ name, reason }) =>
      name && (reason ? `revoked the API key ${name} (${reason.replace(/_/g, " ")})` : `revoked the API key ${name}`),
    words: "token deleted",
  },
  "totp.enable": { label: "turned on two-factor sign-in", words: "2fa totp authenticator security" },
  "totp.disable": { label: "turned off two-factor sign-in", words: "2fa totp authenticator security" },
  "totp.recovery_codes": {
    label: "made new recovery codes",
    words: "2fa totp two-factor backup regenerated",
  },
  "ssh_key.add": {
    label: "added an SSH key",
    sentence: ({ name, via }) =>
      name && (via === "device_flow" ? `added the SSH key ${name} from the command line` : `added the SSH key ${name}`),
    words: "public key new",
  },
  "ssh_key.remove": {
    label: "removed an SSH key",
    sentence: ({ name }) => name && `removed the SSH key ${name}`,
    words: "public key deleted",
  },
  "tunnel.kick": {
    label: "kicked a tunnel",
    sentence: ({ name, host }) => name && (host ? `kicked the tunnel ${name} on ${host}` : `kicked the tunnel ${name}`),
    words: "closed disconnected stopped",
  },
  "tunnel_name.reserve": {
    label: "reserved a tunnel name",
    sentence: ({ name, user }) => name && (user ? `reserved the tunnel name ${name} for ${user}` : `reserved the tunnel name ${name}`),
    words: "subdomain",
  },
  "tunnel_name.release": {
    label: "released a tunnel name",
    sentence: ({ name, user }) => name && (user ? `released the tunnel name ${name} held for ${user}` : `released the tunnel name ${name}`),
    words: "subdomain freed",
  },
  "tunnel_host.create": {
    label: "added a tunnel host",
    sentence: ({ name }) => name && `added the tunnel host ${name}`,
    words: "server vps new",
  },
  "tunnel_host.enroll": {
    label: "enrolled a tunnel host",
    sentence: ({ name, hostname }) =>
      name && (hostname ? `enrolled the tunnel host ${name} (${hostname})` : `enrolled the tunnel host ${name}`),
    words: "server vps connected",
  },
  "tunnel_host.delete": {
    label: "removed a tunnel host",
    sentence: ({ name }) => name && `removed the tunnel host ${name}`,
    words: "server vps deleted",
  },
  "node.create": {
    label: "added a Wings node",
    sentence: ({ name, fqdn }) => name && (fqdn ? `added the Wings node ${name} (${fqdn})` : `added the Wings node ${name}`),
    words: "game server daemon new",
  },
  "node.update": {
    label: "changed a Wings node",
    sentence: ({ name }) => name && `changed the Wings node ${name}`,
    words: "game server daemon edit maintenance",
  },
  "node.delete": {
    label: "removed a Wings node",
    sentence: ({ name }) => name && `removed the Wings node ${name}`,
    words: "game server daemon deleted",
  },
  "node.token_rotate": {
    label: "rotated a Wings node's token",
    sentence: ({ name }) => name && `rotated the token of the Wings node ${name}`,
    words: "game server daemon secret reset",
  },
  "node_tunnel.create": {
    label: "put a Wings node behind a tunnel",
    sentence: ({ name, host }) => name && (host ? `made the Wings node ${name} reachable through the tunnel host ${host}` : `made the Wings node ${name} reachable through a tunnel host`),
    words: "game server daemon nat tunnel ssh",
  },
  "node_tunnel.delete": {
    label: "took a Wings node off its tunnel",
    sentence: ({ name }) => name && `made the Wings node ${name} reachable at its own address again`,
    words: "game server daemon nat tunnel removed",
  },
  "node_tunnel.key_enroll": {
    label: "a Wings node enrolled its tunnel key",
    sentence: ({ name }) => name && `the Wings node ${name} enrolled its tunnel key`,
    words: "game server daemon nat tunnel ssh key",
  },
  "allocation.create": {
    label: "added allocations",
    sentence: ({ ip }) => ip && `added allocations on ${ip}`,
    words: "ports ip game server",
  },
  "allocation.update": {
    label: "changed an allocation",
    sentence: ({ ip, alias }) => ip && (alias ? `changed an allocation on ${ip} (${alias})` : `changed an allocation on ${ip}`),
    words: "port ip alias notes",
  },
  "allocation.delete": {
    label: "removed an allocation",
    sentence: ({ ip }) => ip && `removed an allocation on ${ip}`,
    words: "port ip deleted",
  },
  "egg.create": {
    label: "created an egg",
    sentence: ({ name }) => name && `created the egg ${name}`,
    words: "game template new",
  },
  "egg.import": {
    label: "imported an egg",
    sentence: ({ name, format }) => name && (format ? `imported the egg ${name} (${format})` : `imported the egg ${name}`),
    words: "game template upload file",
  },
  "egg.update": {
    label: "changed an egg",
    sentence: ({ name }) => name && `changed the egg ${name}`,
    words: "game template edit",
  },
  "egg.delete": {
    label: "deleted an egg",
    sentence: ({ name }) => name && `deleted the egg ${name}`,
    words: "game template removed",
  },
  "server.create": {
    label: "created a game server",
    sentence: ({ name }) => name && `created the game server ${name}`,
    words: "new",
  },
  "server.create_failed": {
    label: "failed to create a game server",
    sentence: ({ name, reason }) =>
      name && (reason ? `tried to create the game server ${name}, but ${reason}` : `tried to create the game server ${name}`),
    words: "error refused node",
  },
  "server.update": {
    label: "renamed a game server",
    sentence: ({ name }) => name && `changed the name or description of the game server ${name}`,
    words: "rename description",
  },
  "server.delete": {
    label: "deleted a game server",
    sentence: ({ name }) => name && `deleted the game server ${name}`,
    words: "removed",
  },
  "server.suspend": {
    label: "suspended a game server",
    sentence: ({ name }) => name && `suspended the game server ${name}`,
    words: "disable block",
  },
  "server.unsuspend": {
    label: "unsuspended a game server",
    sentence: ({ name }) => name && `unsuspended the game server ${name}`,
    words: "enable unblock",
  },
  "server.reinstall": {
    label: "reinstalled a game server",
    sentence: ({ name }) => name && `reinstalled the game server ${name}`,
    words: "install",
  },
  "server.build": {
    label: "changed a game server's limits",
    words: "build memory cpu disk resources",
  },
  "server.startup": {
    label: "changed a game server's startup",
    words: "startup command variables docker image",
  },
  "server.transfer": {
    label: "started moving a game server to another node",
    words: "transfer move migrate node",
  },
  "server.transfer_completed": {
    label: "finished moving a game server to another node",
    words: "transfer move migrate node done",
  },
  "server.transfer_failed": {
    label: "could not move a game server to another node",
    sentence: ({ error }) => error && `could not move a game server to another node: ${error}`,
    words: "transfer move migrate node error",
  },
  "server.transfer_cancelled": {
    label: "cancelled moving a game server to another node",
    words: "transfer move migrate node stop",
  },
  "subuser.create": {
    label: "added a subuser to a game server",
    sentence: ({ email }) => email && `gave ${email} access to a game server`,
    words: "user permissions invite",
  },
  "subuser.invite": {
    label: "invited someone to a game server",
    sentence: ({ email }) => email && `invited ${email} to a game server`,
    words: "user permissions invite link",
  },
  "subuser.join": {
    label: "joined a game server by invitation",
    words: "user permissions invite link accepted",
  },
  "subuser.update": {
    label: "changed a subuser's permissions",
    sentence: ({ email }) => email && `changed what ${email} may do on a game server`,
    words: "user permissions",
  },
  "subuser.delete": {
    label: "removed a subuser from a game server",
    sentence: ({ email }) => email && `removed ${email} from a game server`,
    words: "user permissions access taken away",
  },
  "schedule.create": {
    label: "created a schedule",
    sentence: ({ name, server }) => name && server && `created the schedule ${name} on the game server ${server}`,
    words: "cron automation task",
  },
  "schedule.update": {
    label: "changed a schedule",
    sentence: ({ name, server }) => name && server && `changed the schedule ${name} on the game server ${server}`,
    words: "cron automation enabled disabled",
  },
  "schedule.delete": {
    label: "deleted a schedule",
    sentence: ({ name, server }) => name && server && `deleted the schedule ${name} on the game server ${server}`,
    words: "cron automation removed",
  },
  "schedule.task_create": {
    label: "added a task to a schedule",
    sentence: ({ name }) => name && `added a task to the schedule ${name}`,
    words: "cron automation command power backup",
  },
  "schedule.task_update": {
    label: "changed a schedule's task",
    sentence: ({ name }) => name && `changed a task of the schedule ${name}`,
    words: "cron automation command power backup delay",
  },
  "schedule.task_delete": {
    label: "removed a task from a schedule",
    sentence: ({ name }) => name && `removed a task from the schedule ${name}`,
    words: "cron automation",
  },
  "schedule.run": {
    label: "ran a schedule now",
    sentence: ({ name, server }) => name && server && `ran the schedule ${name} on the game server ${server} now`,
    words: "cron automation execute manual",
  },
  "webhook.create": {
    label: "added a webhook",
    sentence: ({ url }) => url && `added a webhook to ${url}`,
    words: "endpoint integration discord notification",
  },
  "webhook.update": {
    label: "changed a webhook",
    sentence: ({ url }) => url && `changed the webhook to ${url}`,
    words: "endpoint integration enabled disabled events",
  },
  "webhook.delete": {
    label: "deleted a webhook",
    sentence: ({ url }) => url && `deleted the webhook to ${url}`,
    words: "endpoint integration removed",
  },
} satisfies Record<string, ActionWording>;

/** An action edge-api writes. */
export type KnownAction = keyof typeof ACTIONS;

const wordings: Record<string, ActionWording | undefined> = ACTIONS;

function roleWord(role: string): string {
  return /^[aeiou]/i.test(role) ? `an ${role}` : `a ${role}`;
}

function facts(metadata: Metadata): Facts {
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) return {};
  const out: Facts = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value === "string" && value !== "") out[key] = value;
    else if (typeof value === "number" || typeof value === "boolean") out[key] = String(value);
  }
  return out;
}

/**
 * "kicked a tunnel" for `tunnel.kick`. An action this build does not know
 * (written by a newer server) still reads as words: "did tunnel kick".
 */
export function describeAction(action: string): string {
  return wordings[action]?.label ?? `did ${action.replace(/[._]/g, " ")}`;
}

/** The verb phrase for one entry, with its details: "kicked the tunnel myapp on vps-1". */
export function describeEntry(entry: Pick<AuditEntry, "action" | "metadata">): string {
  const wording = wordings[entry.action];
  return wording?.sentence?.(facts(entry.metadata)) ?? describeAction(entry.action);
}

/** The whole sentence: "Ada Lovelace kicked the tunnel myapp on vps-1." */
export function entrySentence(entry: Pick<AuditEntry, "action" | "metadata" | "actor_name">): string {
  return `${entry.actor_name ?? "System"} ${describeEntry(entry)}.`;
}

/** Lowercase word stems, so "revoked", "revoke" and "revokes" match. */
function stems(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((word) => (word.length > 4 ? word.replace(/(ing|ed|es|s|e)$/, "") : word));
}

/** Whether `text` is an action code or prefix (`member.join`, `member.*`) rather than plain words. */
export function isActionCode(text: string): boolean {
  return /^[a-z0-9_]+(\.[a-z0-9_]*)*\*?$/.test(text) && /[.*]/.test(text);
}

/**
 * The actions plain words describe: those whose wording or code has a word
 * starting with each word typed ("kick" → `tunnel.kick`; "revoked key" →
 * `api_key.revoke`; "member" → every `member.*`).
 */
export function actionsMatching(query: string): KnownAction[] {
  const wanted = stems(query);
  if (wanted.length === 0) return [];
  return (Object.keys(ACTIONS) as KnownAction[]).filter((action) => {
    const wording: ActionWording = ACTIONS[action];
    const haystack = stems(`${action} ${wording.label} ${wording.words ?? ""}`);
    return wanted.every((word) => haystack.some((candidate) => candidate.startsWith(word)));
  });
}
