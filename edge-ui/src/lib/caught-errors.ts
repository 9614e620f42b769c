import type { ErrorInfo } from "react";

import { ApiError, isConnectionLost } from "@/lib/api-client";

/**
 * Whether an error a boundary caught is one the app expects and shows in
 * words (the API said no with a 4xx, or could not be reached), rather than a
 * bug worth a console error.
 */
export function isExpectedError(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return (error.status >= 400 && error.status < 500) || isConnectionLost(error);
}

/**
 * React's `onCaughtError`: by default React logs every error a boundary
 * catches with console.error; the expected ones are already on the page.
 */
export function onCaughtError(error: unknown, info: ErrorInfo): void {
  if (isExpectedError(error)) return;
  console.error(error, info.componentStack ?? "");
}
