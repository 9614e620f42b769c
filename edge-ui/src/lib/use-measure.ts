import { useLayoutEffect, useState, type RefObject } from "react";

/**
 * Whether the element is narrower than `threshold` pixels, kept up to date as
 * it resizes. Measured before the browser paints, so a phone never sees the
 * wide layout first. Until the element has a width (or where nothing is laid
 * out, as in jsdom) it reads as wide.
 */
export function useNarrowerThan(ref: RefObject<HTMLElement | null>, threshold: number): boolean {
  const [narrow, setNarrow] = useState(false);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const width = element.clientWidth;
      if (width > 0) setNarrow(width < threshold);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => {
      observer.disconnect();
    };
  }, [ref, threshold]);
  return narrow;
}

/**
 * Whether the element's content is wider than the element (it scrolls
 * sideways), rechecked when either the element or its first child resizes.
 */
export function useOverflowsSideways(ref: RefObject<HTMLElement | null>): boolean {
  const [overflows, setOverflows] = useState(false);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      setOverflows(element.scrollWidth > element.clientWidth + 1);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => {
      observer.disconnect();
    };
  }, [ref]);
  return overflows;
}
