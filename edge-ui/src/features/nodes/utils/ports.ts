/** The most ports one "add allocations" request may create (the API's `MAX_PORTS_PER_REQUEST`). */
export const MAX_PORTS = 1000;

/** Ports typed as `25565, 25570-25580` (commas, spaces or new lines), checked as the API checks them. */
export type ParsedPorts = { specs: string[]; count: number } | { problem: string };

/** Splits and checks a list of ports and ranges; `specs` is what the API's `ports` field takes. */
export function parsePorts(text: string): ParsedPorts {
  const specs = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (specs.length === 0) return { problem: "Enter a port or a range like 25565-25600." };
  const seen = new Set<number>();
  const one = (part: string): number | string => {
    if (!/^\d+$/.test(part)) return `"${part}" is not a port or a range like 25565-25600.`;
    const n = Number(part);
    return n >= 1 && n <= 65535 ? n : `${part} is not a port between 1 and 65535.`;
  };
  for (const spec of specs) {
    const dash = spec.indexOf("-");
    const start = one(dash < 0 ? spec : spec.slice(0, dash));
    const end = dash < 0 ? start : one(spec.slice(dash + 1));
    if (typeof start === "string") return { problem: start };
    if (typeof end === "string") return { problem: end };
    if (start > end) return { problem: `"${spec}" runs backwards.` };
    if (end - start + 1 + seen.size > MAX_PORTS) return { problem: `Add at most ${String(MAX_PORTS)} ports at once.` };
    for (let p = start; p <= end; p += 1) {
      if (seen.has(p)) return { problem: `Port ${String(p)} is listed twice.` };
      seen.add(p);
    }
  }
  return { specs, count: seen.size };
}

/** Whether `value` is an IPv4 or IPv6 address (the API's allocation `ip` rule; `0.0.0.0` binds all). */
export function isIpAddress(value: string): boolean {
  const v = value.trim();
  const parts = v.split(".");
  if (parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return true;
  return v.includes(":") && /^[0-9A-Fa-f:.]+$/.test(v) && v.split("::").length <= 2;
}
