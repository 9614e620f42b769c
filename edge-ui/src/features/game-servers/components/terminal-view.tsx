import "@xterm/xterm/css/xterm.css";

import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import { forwardRef, useEffect, useImperativeHandle, useRef } from "react";

/** What the console tab does with the terminal. */
export type TerminalHandle = {
  /** Writes one line (ANSI colours kept). */
  writeLine: (line: string) => void;
  clear: () => void;
};

/** Lines kept above the screen. */
const SCROLLBACK = 5_000;

/**
 * xterm.js with its DOM renderer (the default: no canvas or WebGL, and the
 * style elements it injects are allowed by the page's `style-src`), fitted
 * to its box, read-only (commands go through the command line below it).
 */
export const TerminalView = forwardRef<TerminalHandle, { label: string }>(function TerminalView({ label }, ref) {
  const box = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal | null>(null);
  const pending = useRef<string[]>([]);

  useImperativeHandle(
    ref,
    () => ({
      writeLine: (line: string) => {
        const t = term.current;
        if (t) t.writeln(line);
        else pending.current.push(line);
      },
      clear: () => {
        pending.current = [];
        term.current?.clear();
      },
    }),
    [],
  );

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const t = new Terminal({
      convertEol: true,
      disableStdin: true,
      cursorBlink: false,
      cursorInactiveStyle: "none",
      scrollback: SCROLLBACK,
      fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
      fontSize: 13,
      // Dim ANSI colours on the dark background are lifted to a readable contrast.
      minimumContrastRatio: 4.5,
      theme: { background: "#0b0b0f", foreground: "#e6e6e6" },
      screenReaderMode: false,
    });
    const fit = new FitAddon();
    t.loadAddon(fit);
    t.open(element);
    term.current = t;
    for (const line of pending.current) t.writeln(line);
    pending.current = [];
    const refit = () => {
      if (element.clientWidth > 0 && element.clientHeight > 0) fit.fit();
    };
    refit();
    const observer = new ResizeObserver(refit);
    observer.observe(element);
    return () => {
      observer.disconnect();
      term.current = null;
      t.dispose();
    };
  }, []);

  return (
    <div
      role="log"
      aria-label={label}
      aria-live="off"
      className="h-[28rem] overflow-hidden rounded-md border bg-[#0b0b0f] p-2"
    >
      <div ref={box} className="size-full" data-testid="terminal" />
    </div>
  );
});
