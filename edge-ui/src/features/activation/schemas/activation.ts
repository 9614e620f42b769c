import { z } from "zod";

import type { Activation } from "@/api/generated/Activation";

/** The letters codes are made of (`edge-api/src/tunnels/device.rs`): no vowels, no look-alikes. */
export const CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ";

/**
 * A code as typed, tidied for display: letters only, upper case, at most
 * eight, with a dash after the fourth ("bcdf ghjk" → "BCDF-GHJK").
 */
export function formatCode(input: string): string {
  const letters = input.toUpperCase().replace(/[^A-Z]/g, "").slice(0, 8);
  return letters.length > 4 ? `${letters.slice(0, 4)}-${letters.slice(4)}` : letters;
}

const CODE = new RegExp(`^[${CODE_ALPHABET}]{4}-[${CODE_ALPHABET}]{4}$`);

/** The activation form, which is `POST /api/activate`'s body. */
export const activationSchema = z.object({
  code: z
    .string()
    .transform(formatCode)
    .refine((code) => code.length === 9, "Enter all 8 letters your terminal shows, like BCDF-GHJK.")
    .refine((code) => CODE.test(code), "That is not a code the tunnel host shows: check it for typos."),
}) satisfies z.ZodType<Activation, Activation>;

export type ActivationValues = z.input<typeof activationSchema>;
