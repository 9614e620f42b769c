import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach, beforeEach } from "vitest";

import { installMatchMedia } from "@/test/match-media";

// jsdom lacks a few browser APIs that Radix primitives and the router touch.
const noop = (): void => undefined;

function polyfill(target: object, name: string, value: unknown) {
  if (!(name in target)) {
    Object.defineProperty(target, name, { value, writable: true, configurable: true });
  }
}

polyfill(
  globalThis,
  "ResizeObserver",
  class {
    observe = noop;
    unobserve = noop;
    disconnect = noop;
  },
);
polyfill(Element.prototype, "scrollIntoView", noop);
polyfill(Element.prototype, "hasPointerCapture", () => false);
polyfill(Element.prototype, "releasePointerCapture", noop);
// jsdom has scrollTo but only logs "not implemented"; the router calls it to restore scroll.
window.scrollTo = noop;

beforeEach(() => {
  installMatchMedia({ dark: false });
});

afterEach(() => {
  cleanup();
  localStorage.clear();
  document.documentElement.className = "";
  document.documentElement.removeAttribute("style");
});
