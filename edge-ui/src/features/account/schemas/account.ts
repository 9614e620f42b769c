import { z } from "zod";

import type { PasswordChange } from "@/api/generated/PasswordChange";
import type { ProfileUpdate } from "@/api/generated/ProfileUpdate";
import { emailRule, nameRule, passwordRule } from "@/lib/validation";

/**
 * The profile form for a user whose email is `currentEmail`: a new email
 * needs the current password (the server refuses it without).
 */
export function profileSchema(currentEmail: string) {
  return z
    .object({ name: nameRule, email: emailRule, current_password: z.string() })
    .refine((v) => v.email === currentEmail || v.current_password !== "", {
      message: "Enter your current password to change your email.",
      path: ["current_password"],
    });
}

export type ProfileValues = z.infer<ReturnType<typeof profileSchema>>;

/** `PATCH /api/auth/me`'s body: only what changed, and the password only with a new email. */
export function toProfileUpdate(values: ProfileValues, current: { name: string; email: string }): ProfileUpdate {
  const emailChanged = values.email !== current.email;
  return {
    name: values.name === current.name ? null : values.name,
    email: emailChanged ? values.email : null,
    ...(emailChanged ? { current_password: values.current_password } : {}),
  };
}

/** The password form's values are `PUT /api/auth/password`'s body. */
export const passwordChangeSchema = z
  .object({
    current_password: z.string().min(1, "Enter your current password."),
    new_password: passwordRule,
    revoke_api_keys: z.boolean(),
  })
  .refine((v) => v.current_password !== v.new_password, {
    message: "Choose a password different from the current one.",
    path: ["new_password"],
  }) satisfies z.ZodType<PasswordChange>;

export type PasswordChangeValues = z.infer<typeof passwordChangeSchema>;
