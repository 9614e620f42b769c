import { toast } from "sonner";

import { ApiError } from "@/lib/api-client";

/** A readable sentence for any failure. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong. Try again.";
}

/** Toasts a successful change. */
export function notifySuccess(title: string, description?: string): void {
  toast.success(title, { description });
}

/** Toasts a failed change with the server's reason. */
export function notifyError(title: string, error: unknown): void {
  toast.error(title, { description: errorMessage(error) });
}
