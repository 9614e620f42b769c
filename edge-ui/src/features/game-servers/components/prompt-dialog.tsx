import { useState, type SyntheticEvent } from "react";

import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

export type PromptRequest = {
  title: string;
  description: string;
  label: string;
  initial: string;
  submitLabel: string;
  /** A sentence when the value is not acceptable. */
  validate: (value: string) => string | undefined;
  onSubmit: (value: string) => void;
};

/** One text field in a dialog (rename, move, new file, permissions...), checked before it is sent. */
export function PromptDialog({ request, onClose }: { request: PromptRequest | null; onClose: () => void }) {
  return (
    <Dialog
      open={request !== null}
      onOpenChange={(open) => {
        if (!open) onClose();
      }}
    >
      {request ? <PromptBody key={request.title + request.initial} request={request} onClose={onClose} /> : null}
    </Dialog>
  );
}

function PromptBody({ request, onClose }: { request: PromptRequest; onClose: () => void }) {
  const [value, setValue] = useState(request.initial);
  const [error, setError] = useState<string | undefined>(undefined);
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    const problem = request.validate(value);
    setError(problem);
    if (problem) return;
    request.onSubmit(value.trim());
    onClose();
  };
  return (
    <DialogContent>
      <form onSubmit={submit} className="space-y-4">
        <DialogHeader>
          <DialogTitle>{request.title}</DialogTitle>
          <DialogDescription>{request.description}</DialogDescription>
        </DialogHeader>
        <div className="space-y-1">
          <Label htmlFor="prompt-value">{request.label}</Label>
          <Input
            id="prompt-value"
            autoFocus
            value={value}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "prompt-error" : undefined}
            onChange={(e) => {
              setValue(e.target.value);
            }}
          />
          {error ? (
            <p id="prompt-error" className="text-sm text-destructive">
              {error}
            </p>
          ) : null}
        </div>
        <DialogFooter>
          <Button type="button" variant="outline" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit">{request.submitLabel}</Button>
        </DialogFooter>
      </form>
    </DialogContent>
  );
}
