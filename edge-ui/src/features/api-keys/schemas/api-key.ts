import { z } from "zod";

import type { ApiKey } from "@/api/generated/ApiKey";
import type { CreatedKey } from "@/api/generated/CreatedKey";
import type { NewKey } from "@/api/generated/NewKey";
import { nameRule } from "@/lib/validation";

/** A key as listed (never its secret). */
export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  allowed_ips: z.array(z.string()),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
}) satisfies z.ZodType<ApiKey>;

/** A key just created: the only time its token is shown. */
export const createdKeySchema = apiKeySchema.extend({ token: z.string() }) satisfies z.ZodType<CreatedKey>;

/** An IPv4/IPv6 address, optionally with a `/prefix`; the server has the final word. */
const IP_OR_CIDR = /^(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-f:]*:[0-9a-f:.]*)(?:\/[0-9]{1,3})?$/i;

/**
 * The create form: allowed IPs are typed as one comma- or space-separated
 * line; the password is asked for because a key outlives the session.
 */
export const newKeyFormSchema = z.object({
  name: nameRule,
  password: z.string().min(1, "Enter your password."),
  allowed_ips: z
    .string()
    .refine(
      (value) => splitIps(value).every((ip) => IP_OR_CIDR.test(ip)),
      "List IP addresses or CIDR ranges, like 203.0.113.7 or 10.0.0.0/8, separated by commas.",
    ),
});

export type NewKeyFormValues = z.infer<typeof newKeyFormSchema>;

export function splitIps(value: string): string[] {
  return value.split(/[\s,]+/).filter(Boolean);
}

/** The form's values as `POST /api/me/api-keys`'s body. */
export function toNewKey(values: NewKeyFormValues): NewKey {
  return { name: values.name, allowed_ips: splitIps(values.allowed_ips), password: values.password };
}
