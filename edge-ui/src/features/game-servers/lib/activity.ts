/**
 * The API's `?event=` value for what a person typed in the activity filter:
 * a whole event name stays as it is, a partial one ("server:power",
 * "file.") becomes a prefix search, blank means no filter.
 */
export function eventFilter(input: string): string | undefined {
  const t = input.trim();
  if (t === "") return undefined;
  if (t.endsWith("*")) return t;
  return `${t}*`;
}

/** A short readable line for an activity entry's metadata: `key: value` pairs, values cut at 80 characters. */
export function describeMetadata(metadata: Record<string, unknown>): string {
  return Object.entries(metadata)
    .map(([key, value]) => {
      const text = typeof value === "string" ? value : JSON.stringify(value);
      return `${key}: ${text.length > 80 ? `${text.slice(0, 79)}…` : text}`;
    })
    .join(", ");
}
