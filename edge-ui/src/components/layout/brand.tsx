import { FlamingoMark } from "@/components/layout/flamingo-mark";

/** The logo mark and the product name. */
export function Brand() {
  return (
    <span className="flex items-center gap-2 text-lg font-semibold tracking-tight">
      <FlamingoMark className="size-7" />
      Flamingo
    </span>
  );
}
