import { useId, type ReactNode } from "react";

import { Label } from "@/components/ui/label";

/** The props a control inside {@link Field} spreads on itself to be labelled, described and marked invalid. */
export type ControlProps = { id: string; "aria-invalid": boolean; "aria-describedby"?: string };

/** A labelled control with its hint and its problem, wired for screen readers. */
export function Field({
  label,
  hint,
  problem,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  problem?: string;
  children: (control: ControlProps) => ReactNode;
}) {
  const id = useId();
  const described = [hint ? `${id}-hint` : "", problem ? `${id}-problem` : ""].filter(Boolean).join(" ");
  return (
    <div className="grid gap-2">
      <Label htmlFor={id}>{label}</Label>
      {children({ id, "aria-invalid": Boolean(problem), "aria-describedby": described || undefined })}
      {hint ? (
        <p id={`${id}-hint`} className="text-sm text-muted-foreground">
          {hint}
        </p>
      ) : null}
      {problem ? (
        <p id={`${id}-problem`} className="text-sm text-red-700 dark:text-destructive">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
