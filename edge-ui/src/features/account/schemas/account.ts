import { z } from "zod";

import type { PasswordChange } from "@/api/generated/PasswordChange";
import { emailRule, nameRule, passwordRule } from "@/lib/validation";

/** The profile form; only changed fields are sent (`PATCH /api/auth/me`). */
export const profileSchema = z.object({ name: nameRule, email: emailRule });

export type ProfileValues = z.infer<typeof profileSchema>;

/** The password form's values are `PUT /api/auth/password`'s body. */
export const passwordChangeSchema = z
  .object({
    current_password: z.string().min(1, "Enter your current password."),
    new_password: passwordRule,
  })
  .refine((v) => v.current_password !== v.new_password, {
    message: "Choose a password different from the current one.",
    path: ["new_password"],
  }) satisfies z.ZodType<PasswordChange>;

export type PasswordChangeValues = z.infer<typeof passwordChangeSchema>;
