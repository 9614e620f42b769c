import { Construction } from "lucide-react";

/** Empty state for a section that exists in the navigation but has no page yet. */
export function NotBuiltYet({ section }: { section: string }) {
  return (
    <div className="flex flex-col items-center justify-center gap-3 rounded-xl border border-dashed px-6 py-16 text-center">
      <Construction className="size-10 text-muted-foreground" aria-hidden="true" />
      <h2 className="text-lg font-semibold">Not built yet</h2>
      <p className="max-w-md text-sm text-muted-foreground">
        {section} arrives in a later release of Flamingo. There is nothing to show here yet.
      </p>
    </div>
  );
}
