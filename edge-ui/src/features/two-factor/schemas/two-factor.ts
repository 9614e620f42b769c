import { z } from "zod";

import type { RecoveryCodes } from "@/api/generated/RecoveryCodes";
import type { TotpCode } from "@/api/generated/TotpCode";
import type { TotpDisable } from "@/api/generated/TotpDisable";
import type { TotpEnrollment } from "@/api/generated/TotpEnrollment";
import { secondFactorRule, totpCodeRule } from "@/lib/validation";

/** `POST /api/auth/totp/setup`: the only time the secret is shown. */
export const enrollmentSchema = z.object({
  /** Base32, for typing into an authenticator app. */
  secret: z.string(),
  /** `otpauth://totp/...`, for the QR code. */
  otpauth_url: z.string(),
}) satisfies z.ZodType<TotpEnrollment>;

export type Enrollment = TotpEnrollment;

/** Fresh recovery codes: the only time they are shown. */
export const recoveryCodesSchema = z.object({
  recovery_codes: z.array(z.string()),
}) satisfies z.ZodType<RecoveryCodes>;

/** `POST /api/auth/totp/enable`'s body: a code from the app proves it is set up. */
export const enableSchema = z.object({ code: totpCodeRule }) satisfies z.ZodType<TotpCode>;

export type EnableValues = z.infer<typeof enableSchema>;

/** `POST /api/auth/totp/disable`'s body. */
export const disableSchema = z.object({
  password: z.string().min(1, "Enter your password."),
  code: secondFactorRule,
}) satisfies z.ZodType<TotpDisable>;

export type DisableValues = z.infer<typeof disableSchema>;

/** `POST /api/auth/totp/recovery-codes`'s body. */
export const regenerateSchema = z.object({ code: secondFactorRule }) satisfies z.ZodType<TotpCode>;

export type RegenerateValues = z.infer<typeof regenerateSchema>;
