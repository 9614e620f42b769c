import { z } from "zod";

/**
 * Field rules shared by every form, mirroring the server's
 * (`edge-api/src/validate.rs`) so mistakes show before anything is sent.
 */

const encoder = new TextEncoder();

/** Length in Unicode code points, as the server (Rust `chars()`) counts. */
function length(value: string): number {
  return Array.from(value).length;
}

/** A display name: 1-100 characters after trimming, no control characters. */
export const nameRule = z
  .string()
  .trim()
  .min(1, "Enter a name.")
  .refine((value) => length(value) <= 100, "Use at most 100 characters.")
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  .refine((value) => !/[\u0000-\u001f\u007f-\u009f]/.test(value), "Remove control characters.");

/** An organization's display name: the same rules, its own wording. */
export const organizationNameRule = z
  .string()
  .trim()
  .min(1, "Enter the organization's name.")
  .pipe(nameRule);

/** A plausible email address, as the server checks it. */
export const emailRule = z
  .string()
  .trim()
  .min(1, "Enter an email address.")
  .refine(isEmail, "Enter an email address like ada@example.com.");

/** At least 12 characters, at most 1024 bytes. */
export const passwordRule = z
  .string()
  .refine((value) => length(value) >= 12, "Use at least 12 characters.")
  .refine((value) => encoder.encode(value).length <= 1024, "Use at most 1024 bytes.");

/** A code from an authenticator app (6 digits) or a recovery code (`xxxxx-xxxxx`). */
export const secondFactorRule = z
  .string()
  .trim()
  .min(1, "Enter the code from your authenticator app.")
  .refine((value) => {
    const compact = value.replace(/[\s-]/g, "");
    return /^\d{6}$/.test(compact) || /^[a-z0-9]{10}$/i.test(compact);
  }, "Enter the 6-digit code, or a recovery code like abcde-12345.");

/** A 6-digit code from an authenticator app. */
export const totpCodeRule = z
  .string()
  .trim()
  .refine((value) => /^\d{6}$/.test(value.replace(/\s/g, "")), "Enter the 6-digit code from your app.");

function isEmail(value: string): boolean {
  if (encoder.encode(value).length > 254 || /\s/.test(value)) return false;
  const at = value.indexOf("@");
  if (at <= 0) return false;
  const domain = value.slice(at + 1);
  return (
    !domain.includes("@") && domain.includes(".") && !domain.startsWith(".") && !domain.endsWith(".")
  );
}
