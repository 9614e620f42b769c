import { z } from "zod";

import type { LoginRequest } from "@/api/generated/LoginRequest";
import type { SetupRequest } from "@/api/generated/SetupRequest";
import {
  emailRule,
  nameRule,
  organizationNameRule,
  passwordRule,
  secondFactorRule,
} from "@/lib/validation";

/** First-run setup: the form's values are `POST /api/setup`'s body. */
export const setupSchema = z.object({
  name: nameRule,
  email: emailRule,
  password: passwordRule,
  organization: organizationNameRule,
}) satisfies z.ZodType<SetupRequest>;

export type SetupValues = z.infer<typeof setupSchema>;

/** Sign-in's first step. */
export const credentialsSchema = z.object({
  // Checked here so a typo is never sent (and never counted as a failed attempt).
  email: z.string().trim().min(1, "Enter your email address.").pipe(emailRule),
  password: z.string().min(1, "Enter your password."),
});

export type CredentialsValues = z.infer<typeof credentialsSchema>;

/** Sign-in's second step, when two-factor sign-in is on. */
export const secondFactorSchema = z.object({ totp: secondFactorRule });

export type SecondFactorValues = z.infer<typeof secondFactorSchema>;

/** `POST /api/auth/login`'s body: both steps together. */
export const loginRequestSchema = credentialsSchema.extend({
  totp: z.string().nullable(),
}) satisfies z.ZodType<LoginRequest>;
