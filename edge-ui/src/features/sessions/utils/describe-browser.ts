/**
 * A short name for a browser from its user agent, e.g. "Firefox on Linux",
 * "Chrome on iOS", "curl". Names what the string allows: the product token
 * when the browser is not one we know, "Unknown browser" when there is none.
 */
export function describeBrowser(userAgent: string | null): string {
  const ua = userAgent?.trim() ?? "";
  if (ua === "") return "Unknown browser";
  const browser = browserName(ua);
  const os = systemName(ua);
  if (browser) return os ? `${browser} on ${os}` : browser;
  // Not a browser we know (a script, a CLI): its first product token, e.g. "python-requests".
  const product = /^([A-Za-z][\w.-]*)\//.exec(ua)?.[1];
  if (product && product !== "Mozilla") return product;
  return os ? `A browser on ${os}` : "Unknown browser";
}

/** Ordered: each engine's UA also names the ones it imitates (Edge says Chrome and Safari). */
const BROWSERS: readonly [RegExp, string][] = [
  [/\bEdg(e|A|iOS)?\//, "Edge"],
  [/\bOPR\/|\bOpera\//, "Opera"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\bVivaldi\//, "Vivaldi"],
  [/\bFirefox\/|\bFxiOS\//, "Firefox"],
  [/\bHeadlessChrome\//, "Headless Chrome"],
  [/\bChrome\/|\bCriOS\/|\bChromium\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\/|\bMobile\/\w+ Safari|^Mozilla\/5\.0 \((iPhone|iPad)/, "Safari"],
  [/^curl\//, "curl"],
  [/^Wget\//, "Wget"],
];

/** Ordered: iOS says "like Mac OS X" and Android says "Linux". */
const SYSTEMS: readonly [RegExp, string][] = [
  [/\b(iPhone|iPad|iPod)\b/, "iOS"],
  [/\bAndroid\b/, "Android"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bWindows\b/, "Windows"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b|\bX11\b/, "Linux"],
];

function browserName(ua: string): string | undefined {
  return BROWSERS.find(([pattern]) => pattern.test(ua))?.[1];
}

function systemName(ua: string): string | undefined {
  return SYSTEMS.find(([pattern]) => pattern.test(ua))?.[1];
}
