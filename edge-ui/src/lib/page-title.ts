/**
 * A route's `head`: the browser tab's title, most specific part first,
 * e.g. `pageHead("Sessions", "Settings")` is "Sessions · Settings · Flamingo".
 * Only pages set one (not layouts), so a not-found page's own title wins.
 */
export function pageHead(...parts: string[]) {
  return { meta: [{ title: pageTitle(...parts) }] };
}

/** "Sessions · Settings · Flamingo". */
export function pageTitle(...parts: string[]): string {
  return [...parts, "Flamingo"].join(" · ");
}
