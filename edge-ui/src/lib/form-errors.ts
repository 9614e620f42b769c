import type { FieldValues, Path, UseFormReturn } from "react-hook-form";

import { ApiError } from "@/lib/api-client";

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

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
