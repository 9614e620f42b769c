import { useNavigate } from "@tanstack/react-router";
import { Upload } from "lucide-react";
import { useId, useRef, useState, type SyntheticEvent } from "react";

import { WithReason } from "@/components/with-reason";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Textarea } from "@/components/ui/textarea";
import { useImportEgg } from "@/features/eggs/api/eggs";
import { ApiError } from "@/lib/api-client";
import { errorMessage } from "@/lib/notify";

/** The largest egg file the API takes. */
const MAX_BYTES = 1024 * 1024;

type Failure = { message: string; fields: [string, string][] };

function failureOf(error: unknown): Failure {
  const fields = error instanceof ApiError && error.fields ? Object.entries(error.fields) : [];
  return { message: errorMessage(error), fields };
}

/** "Import egg": a file or pasted text, JSON or YAML, any format the API reads; its field errors listed. */
export function ImportEggDialog({ org, disabledReason }: { org: string; disabledReason?: string }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const [fileName, setFileName] = useState<string | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const failureRef = useRef<HTMLDivElement>(null);
  const importEgg = useImportEgg(org);
  const navigate = useNavigate();

  function reset() {
    setText("");
    setFileName(null);
    setFailure(null);
  }

  function show(next: Failure) {
    setFailure(next);
    requestAnimationFrame(() => failureRef.current?.focus());
  }

  async function onFile(file: File | undefined) {
    if (!file) return;
    if (file.size > MAX_BYTES) {
      show({ message: `${file.name} is larger than 1 MiB, the most an egg file may be.`, fields: [] });
      return;
    }
    setFileName(file.name);
    setFailure(null);
    setText(await file.text());
  }

  function onSubmit(event: SyntheticEvent) {
    event.preventDefault();
    if (text.trim() === "") {
      show({ message: "Choose an egg file or paste one.", fields: [] });
      return;
    }
    importEgg.mutate(text, {
      onSuccess: (egg) => {
        setOpen(false);
        reset();
        void navigate({ to: "/o/$org/eggs/$egg", params: { org, egg: egg.id } });
      },
      onError: (error) => {
        show(failureOf(error));
      },
    });
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) reset();
      }}
    >
      <WithReason reason={disabledReason}>
        <DialogTrigger asChild>
          <Button disabled={Boolean(disabledReason)}>
            <Upload aria-hidden="true" />
            Import egg
          </Button>
        </DialogTrigger>
      </WithReason>
      <DialogContent className="max-h-[90vh] overflow-y-auto sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>Import egg</DialogTitle>
          <DialogDescription>
            A Pelican or Pterodactyl egg file (PTDL_v1, PTDL_v2, PLCN_v1 to PLCN_v3), JSON or YAML, up to 1 MiB.
          </DialogDescription>
        </DialogHeader>
        <form noValidate onSubmit={onSubmit} className="grid gap-4">
          {failure ? (
            <div
              ref={failureRef}
              role="alert"
              tabIndex={-1}
              className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-red-700 outline-none dark:text-destructive"
            >
              <p>{failure.message}</p>
              {failure.fields.length > 0 ? (
                <ul className="mt-1 list-disc pl-5">
                  {failure.fields.map(([field, message]) => (
                    <li key={field}>
                      <code className="font-mono">{field}</code> {message}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}
          <div className="grid gap-2">
            <Label htmlFor={`${id}-file`}>Egg file</Label>
            <Input
              id={`${id}-file`}
              type="file"
              accept=".json,.yaml,.yml,application/json,application/yaml"
              onChange={(e) => void onFile(e.target.files?.[0])}
            />
            {fileName ? <p className="text-sm text-muted-foreground">Read {fileName}.</p> : null}
          </div>
          <div className="grid gap-2">
            <Label htmlFor={`${id}-text`}>Or paste it</Label>
            <Textarea
              id={`${id}-text`}
              value={text}
              rows={10}
              spellCheck={false}
              className="max-h-80 font-mono text-xs"
              onChange={(e) => {
                setText(e.target.value);
                setFileName(null);
              }}
            />
          </div>
          <DialogFooter>
            <Button type="submit" disabled={importEgg.isPending}>
              {importEgg.isPending ? "Importing…" : "Import"}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
