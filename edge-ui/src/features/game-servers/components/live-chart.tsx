import "uplot/dist/uPlot.min.css";

import { useEffect, useRef } from "react";
import uPlot from "uplot";

import type { Series } from "@/features/game-servers/lib/console-frames";

type LiveChartProps = {
  title: string;
  /** The latest figure in words, shown beside the title and read by screen readers. */
  current: string;
  series: Series;
  /** One label and colour per column of `series`. */
  lines: readonly { label: string; color: string }[];
  /** Formats an axis value. */
  format: (value: number) => string;
};

/** A small live line chart (uPlot, canvas); the figure in words carries the meaning for assistive tech. */
/** An axis's width in px for its tick labels: about 7 px a character of uPlot's 12 px font, plus the ticks' gap. */
function axisWidth(values: readonly string[] | null | undefined): number {
  const longest = (values ?? []).reduce((n, v) => Math.max(n, v.length), 0);
  return Math.max(40, longest * 7 + 18);
}

export function LiveChart({ title, current, series, lines, format }: LiveChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const formatRef = useRef(format);
  useEffect(() => {
    formatRef.current = format;
  });

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 100),
      height: 120,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { show: false },
        {
          stroke: "#888",
          grid: { stroke: "rgba(128,128,128,0.15)" },
          // Wide enough for the longest tick label ("1000 B/s"), so none is cut at the left edge.
          size: (_u, values) => axisWidth(values),
          values: (_u, ticks) => ticks.map((v) => formatRef.current(v)),
        },
      ],
      series: [{}, ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 2, points: { show: false } }))],
    };
    const p = new uPlot(options, [[], ...lines.map(() => [])], element);
    plot.current = p;
    const observer = new ResizeObserver(() => {
      if (element.clientWidth > 0) p.setSize({ width: element.clientWidth, height: 120 });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.current = null;
      p.destroy();
    };
    // The lines are fixed for a chart's life.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    plot.current?.setData([series.times, ...series.columns]);
  }, [series]);

  return (
    <figure className="rounded-lg border p-3">
      <figcaption className="mb-1 flex items-baseline justify-between gap-2 text-sm">
        <span className="font-medium">{title}</span>
        <span className="font-mono text-muted-foreground" aria-live="off">
          {current}
        </span>
      </figcaption>
      <div ref={box} aria-hidden="true" className="w-full" />
      {lines.length > 1 ? (
        <ul className="mt-1 flex gap-3 text-xs text-muted-foreground" aria-hidden="true">
          {lines.map((l) => (
            <li key={l.label} className="flex items-center gap-1">
              <span className="inline-block h-0.5 w-3" style={{ backgroundColor: l.color }} />
              {l.label}
            </li>
          ))}
        </ul>
      ) : null}
    </figure>
  );
}
