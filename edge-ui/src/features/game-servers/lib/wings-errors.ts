import { ApiError } from "@/lib/api-client";

/** The refusal's own text inside "The node X refused (409): <text>", when it is a sentence. */
function refusalText(message: string): string | undefined {
  const match = /refused \(\d{3}\):\s*(.+)$/s.exec(message);
  const text = match?.[1]?.trim();
  if (!text || text.startsWith("{") || text.startsWith("[") || text.startsWith("<")) return undefined;
  return text;
}

/** Something that looks like markup or JSON rather than words. */
function looksRaw(text: string): boolean {
  const t = text.trim();
  return t === "" || t.startsWith("{") || t.startsWith("[") || t.startsWith("<");
}

/**
 * A sentence for a failure that may come from Wings through the API: "The
 * node is offline.", "You do not have permission to do that.", "The server
 * is not running.", never raw JSON.
 */
export function wingsErrorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) {
    if (error instanceof Error && error.message && !looksRaw(error.message)) return error.message;
    return "Something went wrong. Try again.";
  }
  switch (error.code) {
    case "node_offline":
      return "The node is offline: Flamingo could not reach it.";
    case "node_timeout":
      return "The node did not answer in time. It may be overloaded or offline.";
    case "node_bad_answer":
      return "The node answered in a way Flamingo did not expect.";
    case "node_refused": {
      const text = refusalText(error.message);
      if (text) return /[.!?]$/.test(text) ? text : `${text}.`;
      return "The node refused the request.";
    }
    case "network_error":
      return "Could not reach Flamingo. Check your connection and try again.";
    default:
      break;
  }
  if (error.status === 403) return "You do not have permission to do that.";
  if (error.status === 404) return "It is not there any more: it may have been moved or deleted.";
  if (looksRaw(error.message)) return "Something went wrong. Try again.";
  return error.message;
}
