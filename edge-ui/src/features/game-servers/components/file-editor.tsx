import { ArrowLeft, Loader2, Save } from "lucide-react";
import { useEffect, useState } from "react";

import { ErrorState, ListSkeleton } from "@/components/query-states";
import { Button } from "@/components/ui/button";
import { useFileContents, useSaveFile } from "@/features/game-servers/api/files";
import { CodeEditor } from "@/features/game-servers/components/code-editor";
import { languageFor } from "@/features/game-servers/lib/file-list";
import { baseName } from "@/features/game-servers/lib/paths";

/** One file open in the editor: Save (and Ctrl-S), and a warning before leaving unsaved changes. */
export function FileEditor({
  org,
  server,
  file,
  canSave,
  onClose,
}: {
  org: string;
  server: string;
  file: string;
  canSave: boolean;
  onClose: () => void;
}) {
  const contents = useFileContents(org, server, file);
  const save = useSaveFile(org, server);
  const [text, setText] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const base = saved ?? contents.data ?? "";
  const dirty = text !== null && text !== base;

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => {
      window.removeEventListener("beforeunload", warn);
    };
  }, [dirty]);

  const doSave = () => {
    if (!canSave || text === null || save.isPending) return;
    const sent = text;
    save.mutate(
      { file, text: sent },
      {
        onSuccess: () => {
          setSaved(sent);
        },
      },
    );
  };

  const close = () => {
    if (dirty && !window.confirm(`${baseName(file)} has unsaved changes. Leave without saving?`)) return;
    onClose();
  };

  return (
    <section aria-labelledby="editor-heading" className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <Button variant="outline" size="sm" onClick={close}>
          <ArrowLeft aria-hidden="true" />
          Back to files
        </Button>
        <h2 id="editor-heading" className="font-mono text-sm font-medium break-all">
          {file}
        </h2>
        <span role="status" className="text-sm text-muted-foreground">
          {dirty ? "Unsaved changes" : saved !== null ? "Saved" : ""}
        </span>
        {canSave ? (
          <Button size="sm" className="ml-auto" onClick={doSave} disabled={!dirty || save.isPending}>
            {save.isPending ? <Loader2 className="animate-spin" aria-hidden="true" /> : <Save aria-hidden="true" />}
            Save
          </Button>
        ) : (
          <span className="ml-auto text-sm text-muted-foreground">Read only</span>
        )}
      </div>
      {contents.isPending ? (
        <ListSkeleton label={`Opening ${file}`} rows={6} />
      ) : contents.isError ? (
        <ErrorState title={`Could not open ${file}`} error={contents.error} onRetry={() => void contents.refetch()} />
      ) : (
        <CodeEditor
          key={file}
          initial={contents.data}
          language={languageFor(file)}
          label={`Contents of ${file}`}
          readOnly={!canSave}
          onChange={setText}
          onSave={doSave}
        />
      )}
      <p className="text-xs text-muted-foreground">Ctrl-S (⌘-S) saves. Files up to 64 KiB save here; upload larger ones.</p>
    </section>
  );
}
