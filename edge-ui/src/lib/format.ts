const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const date = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "Nov 22, 2026, 10:00 AM" for an RFC 3339 time. */
export function formatDateTime(iso: string): string {
  return dateTime.format(new Date(iso));
}

/** "Nov 22, 2026". */
export function formatDate(iso: string): string {
  return date.format(new Date(iso));
}

/** "3 minutes ago", "in 6 days", "now". */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return "just now";
}

/**
 * The one wording for when something expires, wherever it is shown:
 * "in 7 days (Dec 8, 2026, 10:00 AM)", or "2 days ago (…)" once past.
 * Reads after "Expires" / "expires".
 */
export function formatExpiry(iso: string, now: number = Date.now()): string {
  return `${formatRelative(iso, now)} (${formatDateTime(iso)})`;
}

const count = new Intl.NumberFormat(undefined);
const BYTE_UNITS = ["B", "KB", "MB", "GB", "TB", "PB"] as const;

/** "1,234". */
export function formatCount(value: number): string {
  return count.format(value);
}

/** "0 B", "999 B", "1.5 KB", "12 MB": powers of 1024, one decimal below 10. */
export function formatBytes(bytes: number): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit] ?? "B"}`;
}
