import type { FieldValues, Path, UseFormReturn } from "react-hook-form";

import { ApiError } from "@/lib/api-client";
import { errorMessage } from "@/lib/notify";

/**
 * Where a failure is shown: a form shows its own errors, once, beside what
 * the person typed ({@link showFormError}, with focus moved to the message);
 * a toast (`notifyError`) is only for actions that have no form, such as a
 * Remove button. A mutation used by a form therefore never toasts its errors.
 */

/**
 * Puts the server's per-field messages (`error.fields`) on the form's fields.
 * Fields the form does not have go to the form's root error. Returns whether
 * anything was set.
 */
export function applyServerErrors<T extends FieldValues>(
  form: UseFormReturn<T>,
  error: unknown,
  fieldNames: readonly Path<T>[],
): boolean {
  if (!(error instanceof ApiError) || !error.fields) return false;
  const others: string[] = [];
  let first = true;
  for (const [field, message] of Object.entries(error.fields)) {
    const known = fieldNames.find((name) => name === field);
    if (known) {
      form.setError(known, { type: "server", message: capitalize(message) }, { shouldFocus: first });
      first = false;
    } else {
      others.push(`${field} ${message}`);
    }
  }
  if (others.length > 0) form.setError("root.server", { type: "server", message: capitalize(others.join("; ")) });
  return true;
}

/**
 * Shows any failure of a form's request in the form, and only there: the
 * server's field errors on their fields (focusing the first), anything else
 * as the form's one root message, which `FormRootError` focuses. The generic
 * "Some fields are invalid." never appears when the fields say more.
 */
export function showFormError<T extends FieldValues>(
  form: UseFormReturn<T>,
  error: unknown,
  fieldNames: readonly Path<T>[],
): void {
  if (applyServerErrors(form, error, fieldNames)) return;
  form.setError("root.server", { type: "server", message: errorMessage(error) });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
