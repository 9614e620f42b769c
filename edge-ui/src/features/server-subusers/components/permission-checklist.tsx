import { useId } from "react";

import { PERMISSION_GROUPS } from "@/features/server-subusers/schemas/permissions";

/** Pelican's permission groups as checkboxes with descriptions; a group's box toggles all of it. */
export function PermissionChecklist({
  value,
  onChange,
  allowed,
}: {
  value: readonly string[];
  onChange: (next: string[]) => void;
  /** Whether the caller may grant this one (a subuser grants only what they hold). */
  allowed: (permission: string) => boolean;
}) {
  const id = useId();
  const has = new Set(value);
  const toggle = (keys: string[], on: boolean) => {
    const next = new Set(has);
    for (const k of keys) if (on) next.add(k);
    else next.delete(k);
    onChange([...next].sort());
  };
  return (
    <div className="grid gap-4 sm:grid-cols-2">
      {PERMISSION_GROUPS.map((group) => {
        const keys = group.permissions.map((p) => p.key).filter(allowed);
        const all = keys.length > 0 && keys.every((k) => has.has(k));
        return (
          <fieldset key={group.id} className="grid gap-2 rounded-lg border p-3" aria-describedby={`${id}-${group.id}`}>
            <legend className="px-1 text-sm font-medium">
              <label className="flex items-center gap-2">
                <input
                  type="checkbox"
                  className="size-4 accent-primary"
                  checked={all}
                  disabled={keys.length === 0}
                  onChange={(e) => {
                    toggle(keys, e.target.checked);
                  }}
                />
                {group.title}
              </label>
            </legend>
            <p id={`${id}-${group.id}`} className="text-xs text-muted-foreground">
              {group.description}
            </p>
            {group.permissions.map((p) => (
              <label key={p.key} className="flex items-start gap-2 text-sm">
                <input
                  type="checkbox"
                  className="mt-0.5 size-4 shrink-0 accent-primary"
                  checked={has.has(p.key)}
                  disabled={!allowed(p.key)}
                  onChange={(e) => {
                    toggle([p.key], e.target.checked);
                  }}
                />
                <span>
                  <code className="font-mono text-xs">{p.key}</code>
                  <span className="block text-xs text-muted-foreground">{p.description}</span>
                </span>
              </label>
            ))}
          </fieldset>
        );
      })}
    </div>
  );
}
