import { vi } from "vitest";

type Listener = (event: MediaQueryListEvent) => void;

/** A controllable `window.matchMedia` whose dark-mode preference tests can flip. */
export function installMatchMedia({ dark }: { dark: boolean }) {
  let prefersDark = dark;
  const listeners = new Set<Listener>();

  vi.stubGlobal("matchMedia", (query: string) => {
    const isDarkQuery = query === "(prefers-color-scheme: dark)";
    return {
      media: query,
      get matches() {
        return isDarkQuery && prefersDark;
      },
      onchange: null,
      addEventListener: (_type: string, listener: Listener) => listeners.add(listener),
      removeEventListener: (_type: string, listener: Listener) => listeners.delete(listener),
      addListener: (listener: Listener) => listeners.add(listener),
      removeListener: (listener: Listener) => listeners.delete(listener),
      dispatchEvent: () => true,
    };
  });

  return {
    /** Changes the OS preference and notifies every listener, as the browser would. */
    setDark(next: boolean) {
      prefersDark = next;
      for (const listener of [...listeners]) {
        listener({ matches: next, media: "(prefers-color-scheme: dark)" } as MediaQueryListEvent);
      }
    },
    listenerCount: () => listeners.size,
  };
}
