/**
 * A human-readable preview of a 5-field cron expression (minute, hour, day
 * of month, month, day of week; UTC), for the schedule editor: "at 04:00
 * every day", "every 5 minutes", "at 04:00 on Monday to Friday". Answers
 * null when the expression does not have five fields; anything it cannot
 * say simply is described field by field.
 */

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** The editor's presets: a label and the expression. */
export const CRON_PRESETS = [
  { label: "Every minute", cron: "* * * * *" },
  { label: "Every 5 minutes", cron: "*/5 * * * *" },
  { label: "Every 15 minutes", cron: "*/15 * * * *" },
  { label: "Every hour", cron: "0 * * * *" },
  { label: "Every 6 hours", cron: "0 */6 * * *" },
  { label: "Every day at 04:00", cron: "0 4 * * *" },
  { label: "Every Monday at 04:00", cron: "0 4 * * 1" },
  { label: "The first of every month at 04:00", cron: "0 4 1 * *" },
] as const;

const NUMBER = /^\d{1,2}$/;

function pad(n: string): string {
  return n.padStart(2, "0");
}

function step(field: string): number | null {
  const match = /^\*\/(\d{1,2})$/.exec(field);
  return match ? Number(match[1]) : null;
}

function listOf(field: string, name: (n: number) => string | undefined): string | null {
  const parts = field.split(",").map((part) => {
    const range = /^(\d{1,2})-(\d{1,2})$/.exec(part);
    if (range) {
      const from = name(Number(range[1]));
      const to = name(Number(range[2]));
      return from && to ? `${from} to ${to}` : null;
    }
    return NUMBER.test(part) ? (name(Number(part)) ?? null) : null;
  });
  if (parts.some((p) => p === null)) return null;
  const words = parts as string[];
  return words.length === 1 ? (words[0] ?? null) : `${words.slice(0, -1).join(", ")} and ${words.at(-1) ?? ""}`;
}

function timeOfDay(minute: string, hour: string): string | null {
  if (NUMBER.test(minute) && NUMBER.test(hour) && Number(minute) < 60 && Number(hour) < 24) {
    return `at ${pad(hour)}:${pad(minute)}`;
  }
  return null;
}

function clock(minute: string, hour: string): string {
  const at = timeOfDay(minute, hour);
  if (at) return at;
  const minuteStep = step(minute);
  if (minute === "*" && hour === "*") return "every minute";
  if (minuteStep !== null && hour === "*") return minuteStep === 1 ? "every minute" : `every ${String(minuteStep)} minutes`;
  const hourStep = step(hour);
  if (NUMBER.test(minute) && hour === "*") {
    return minute === "0" ? "every hour, on the hour" : `every hour at minute ${String(Number(minute))}`;
  }
  if (NUMBER.test(minute) && hourStep !== null) {
    const every = hourStep === 1 ? "every hour" : `every ${String(hourStep)} hours`;
    return minute === "0" ? `${every}, on the hour` : `${every} at minute ${String(Number(minute))}`;
  }
  if (minute === "*" && NUMBER.test(hour)) return `every minute from ${pad(hour)}:00 to ${pad(hour)}:59`;
  return `at minute ${minute} of hour ${hour}`;
}

/** The preview, or null when `expression` is not five fields. */
export function describeCron(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 || fields.some((f) => f === "")) return null;
  const [minute = "", hour = "", dom = "", month = "", dow = ""] = fields;
  const parts = [clock(minute, hour)];
  const days = dow === "*" ? null : listOf(dow, (n) => DAYS[n]);
  const dates = dom === "*" ? null : listOf(dom, (n) => (n >= 1 && n <= 31 ? `day ${String(n)}` : undefined));
  const months = month === "*" ? null : listOf(month, (n) => MONTHS[n - 1]);
  if (dow !== "*" && days === null) parts.push(`on days of the week ${dow}`);
  if (dom !== "*" && dates === null) parts.push(`on days of the month ${dom}`);
  if (month !== "*" && months === null) parts.push(`in months ${month}`);
  if (days && dates) parts.push(`on ${dates} or on ${days}`);
  else if (days) parts.push(`on ${days}`);
  else if (dates) parts.push(`on ${dates}${months ? "" : " of every month"}`);
  if (months) parts.push(`in ${months}`);
  const everyDay = dow === "*" && dom === "*" && month === "*";
  if (everyDay && timeOfDay(minute, hour)) parts.push("every day");
  return `${parts.join(" ")} (UTC)`;
}
