import { Check, Copy } from "lucide-react";
import { useId, useState } from "react";

import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { copyText } from "@/lib/clipboard";

/** "Setup key" → "setup key", but "API key" stays. */
function lowerFirst(text: string): string {
  return /^.[a-z]/.test(text) ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}

/** A labelled read-only value (a secret, a link) with a copy button. */
export function CopyField({ label, value, description }: { label: string; value: string; description?: string }) {
  const id = useId();
  const [copied, setCopied] = useState(false);

  return (
    <div className="grid gap-2">
      <Label htmlFor={id}>{label}</Label>
      <div className="flex gap-2">
        <Input
          id={id}
          readOnly
          value={value}
          className="font-mono text-xs"
          aria-describedby={description ? `${id}-description` : undefined}
          onFocus={(event) => {
            event.currentTarget.select();
          }}
        />
        <Button
          type="button"
          variant="outline"
          size="icon"
          aria-label={`Copy ${lowerFirst(label)}`}
          onClick={() => {
            void copyText(value, label).then(setCopied);
          }}
        >
          {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
        </Button>
      </div>
      {description ? (
        <p id={`${id}-description`} className="text-sm text-muted-foreground">
          {description}
        </p>
      ) : null}
    </div>
  );
}
