import { z } from "zod";

import type { NewSshKey } from "@/api/generated/NewSshKey";
import type { SshKey } from "@/api/generated/SshKey";
import { nameRule } from "@/lib/validation";

/** A registered key as listed (`GET /api/me/ssh-keys`). */
export const sshKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  algorithm: z.string(),
  fingerprint: z.string(),
  created_at: z.string(),
}) satisfies z.ZodType<SshKey>;

/** `<type> <base64> [comment]`, as in `~/.ssh/id_ed25519.pub`; the server checks the key itself. */
const PUBLIC_KEY_LINE = /^(?:ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+)\s+[A-Za-z0-9+/]+={0,3}(?:\s+.*)?$/;

/**
 * The add form, which is `POST /api/me/ssh-keys`'s body. Both fields are
 * checked on their own, so every problem shows at once; the form fills the
 * name from the key's comment (see `keyComment`) until the user types one.
 */
export const newSshKeySchema = z.object({
  name: nameRule,
  public_key: z
    .string()
    .trim()
    .min(1, "Paste your public key.")
    .refine((value) => !value.includes("PRIVATE KEY"), "That is a private key: paste the .pub file instead.")
    .refine((value) => !/[\r\n]/.test(value), "Paste one key, on one line.")
    .refine(
      (value) => PUBLIC_KEY_LINE.test(value),
      "Paste an OpenSSH public key like ssh-ed25519 AAAA… you@laptop.",
    ),
}) satisfies z.ZodType<NewSshKey>;

export type NewSshKeyValues = z.infer<typeof newSshKeySchema>;

/** The comment at the end of a public key line (often `user@host`), a good default name. */
export function keyComment(publicKey: string): string | undefined {
  const comment = publicKey.trim().split(/\s+/).slice(2).join(" ");
  return comment || undefined;
}
