import { useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useVirtualizer } from "@tanstack/react-virtual";
import {
  ArrowDown,
  ArrowUp,
  Copy,
  Download,
  File as FileIcon,
  FilePlus,
  Folder,
  FolderPlus,
  FolderUp,
  Lock,
  MoveRight,
  PackageOpen,
  Package,
  Pencil,
  Trash2,
  Upload,
} from "lucide-react";
import { useDeferredValue, useMemo, useRef, useState, type DragEvent, type ReactNode } from "react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { EmptyState, ErrorState, ListSkeleton } from "@/components/query-states";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import {
  downloadUrl,
  fileKeys,
  postToWings,
  uploadUrl,
  useDirectory,
  useFileAction,
  useSaveFile,
} from "@/features/game-servers/api/files";
import { FileEditor } from "@/features/game-servers/components/file-editor";
import { PromptDialog, type PromptRequest } from "@/features/game-servers/components/prompt-dialog";
import type { ServerTabProps } from "@/features/game-servers/server-tabs";
import {
  filterEntries,
  isArchive,
  isEditable,
  nextSort,
  sortEntries,
  type FileSort,
  type SortKey,
} from "@/features/game-servers/lib/file-list";
import {
  breadcrumbs,
  joinPath,
  moveTarget,
  normalizePath,
  relativeTo,
  validEntryName,
  validMode,
} from "@/features/game-servers/lib/paths";
import { droppedFiles, groupByDirectory, percent, pickedFiles, type PendingUpload } from "@/features/game-servers/lib/uploads";
import { wingsErrorMessage } from "@/features/game-servers/lib/wings-errors";
import type { FileStat } from "@/api/generated/FileStat";
import { formatBytes, formatCount, formatDateTime } from "@/lib/format";
import { notifyError, notifySuccess } from "@/lib/notify";
import { cn } from "@/lib/utils";

const ROW_PX = 40;
const GRID = "grid grid-cols-[2.5rem_minmax(0,1fr)_6rem_11rem_6rem] items-center gap-2 px-2";

type Upload = { name: string; sent: number; total: number };

/** The server's files: a virtualized listing, uploads straight to Wings, every file action, and the editor. */
export function FilesTab({ org, detail, can, path }: ServerTabProps) {
  const server = detail.server.id;
  const directory = normalizePath(path ?? "/");
  const [editing, setEditing] = useState<string | null>(null);

  if (editing) {
    return (
      <FileEditor
        org={org}
        server={server}
        file={editing}
        canSave={can("file.update")}
        onClose={() => {
          setEditing(null);
        }}
      />
    );
  }
  return <FileBrowser key={directory} org={org} server={server} directory={directory} can={can} onEdit={setEditing} />;
}

function FileBrowser({
  org,
  server,
  directory,
  can,
  onEdit,
}: {
  org: string;
  server: string;
  directory: string;
  can: (permission: string) => boolean;
  onEdit: (file: string) => void;
}) {
  const listing = useDirectory(org, server, directory);
  const action = useFileAction(org, server);
  const save = useSaveFile(org, server);
  const queryClient = useQueryClient();
  const [sort, setSort] = useState<FileSort>({ key: "name", direction: "asc" });
  const [query, setQuery] = useState("");
  const deferredQuery = useDeferredValue(query);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [prompt, setPrompt] = useState<PromptRequest | null>(null);
  const [upload, setUpload] = useState<Upload | null>(null);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const sorted = useMemo(() => sortEntries(listing.data ?? [], sort), [listing.data, sort]);
  const rows = useMemo(() => filterEntries(sorted, deferredQuery), [sorted, deferredQuery]);
  const chosen = rows.filter((e) => selected.has(e.name));
  const one = chosen.length === 1 ? chosen[0] : undefined;

  const clearSelection = () => {
    setSelected(new Set());
  };
  const run = (a: Parameters<typeof action.mutate>[0]) => {
    action.mutate(a, { onSuccess: clearSelection });
  };

  const startUpload = async (items: readonly PendingUpload[]) => {
    if (items.length === 0 || upload) return;
    const total = items.reduce((n, i) => n + i.file.size, 0);
    const label = items.length === 1 ? (items[0]?.file.name ?? "file") : `${formatCount(items.length)} files`;
    setUpload({ name: label, sent: 0, total });
    let done = 0;
    try {
      for (const [dir, files] of groupByDirectory(directory, items)) {
        const url = await uploadUrl(org, server, dir);
        const size = files.reduce((n, f) => n + f.size, 0);
        await postToWings(url, files, (sent) => {
          setUpload({ name: label, sent: done + Math.min(sent, size), total });
        });
        done += size;
      }
      notifySuccess(`Uploaded ${label}`);
    } catch (error) {
      notifyError(`Could not upload ${label}`, new Error(wingsErrorMessage(error)));
    } finally {
      setUpload(null);
      void queryClient.invalidateQueries({ queryKey: [...fileKeys.all(org, server), "list"] });
    }
  };

  const download = async (entry: FileStat) => {
    try {
      const url = await downloadUrl(org, server, joinPath(directory, entry.name));
      // A navigation, not a fetch: the browser saves Wings' attachment and the page stays.
      const a = document.createElement("a");
      a.href = url;
      a.download = entry.name;
      a.rel = "noopener";
      document.body.append(a);
      a.click();
      a.remove();
      notifySuccess(`Downloading ${entry.name}`);
    } catch (error) {
      notifyError(`Could not download ${entry.name}`, new Error(wingsErrorMessage(error)));
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (!can("file.create")) return;
    void droppedFiles(event.dataTransfer).then(startUpload);
  };

  const rename = (entry: FileStat) => {
    setPrompt({
      title: `Rename ${entry.name}`,
      description: "A new name, or a path to move it (from this folder, or from the root with a leading /).",
      label: "New name or path",
      initial: entry.name,
      submitLabel: "Rename",
      validate: (v) => (moveTarget(directory, v) ? undefined : "Give it a name."),
      onSubmit: (v) => {
        const target = moveTarget(directory, v);
        if (target) run({ kind: "rename", root: "/", files: [{ from: relativeTo("/", joinPath(directory, entry.name)), to: relativeTo("/", target) }] });
      },
    });
  };

  const move = (entries: readonly FileStat[]) => {
    setPrompt({
      title: `Move ${entries.length === 1 ? (entries[0]?.name ?? "") : `${String(entries.length)} items`}`,
      description: "The folder to move into, from the root (e.g. /backups).",
      label: "Folder",
      initial: directory,
      submitLabel: "Move",
      validate: (v) => (v.trim() ? undefined : "Give a folder."),
      onSubmit: (v) => {
        const into = normalizePath(v.startsWith("/") ? v : joinPath(directory, v));
        run({
          kind: "rename",
          root: "/",
          files: entries.map((e) => ({ from: relativeTo("/", joinPath(directory, e.name)), to: relativeTo("/", joinPath(into, e.name)) })),
        });
      },
    });
  };

  const chmod = (entries: readonly FileStat[]) => {
    setPrompt({
      title: "Change permissions",
      description: "An octal mode for the selected items, such as 644 for files or 755 for folders and scripts.",
      label: "Mode",
      initial: entries[0]?.mode_bits ?? "644",
      submitLabel: "Change",
      validate: validMode,
      onSubmit: (v) => {
        run({ kind: "chmod", root: directory, files: entries.map((e) => ({ file: e.name, mode: v })) });
      },
    });
  };

  const newFolder = () => {
    setPrompt({
      title: "New folder",
      description: `Created in ${directory}.`,
      label: "Name",
      initial: "",
      submitLabel: "Create",
      validate: validEntryName,
      onSubmit: (v) => {
        run({ kind: "create-folder", path: directory, name: v });
      },
    });
  };

  const newFile = () => {
    setPrompt({
      title: "New file",
      description: `Created empty in ${directory}, then opened in the editor.`,
      label: "Name",
      initial: "",
      submitLabel: "Create",
      validate: validEntryName,
      onSubmit: (v) => {
        const file = joinPath(directory, v);
        save.mutate({ file, text: "" }, { onSuccess: () => { onEdit(file); } });
      },
    });
  };

  const toggle = (name: string) => {
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });
  };
  const allChosen = rows.length > 0 && chosen.length === rows.length;

  return (
    <section aria-labelledby="files-heading" className="space-y-3">
      <h2 id="files-heading" className="sr-only">
        Files
      </h2>
      <nav aria-label="Folder path">
        <ol className="flex flex-wrap items-center gap-1 font-mono text-sm">
          {breadcrumbs(directory).map((crumb, i, all) => (
            <li key={crumb.path} className="flex items-center gap-1">
              {i > 0 ? <span aria-hidden="true" className="text-muted-foreground">/</span> : null}
              {i === all.length - 1 ? (
                <span aria-current="page" className="font-medium">
                  {crumb.name}
                </span>
              ) : (
                <FolderLink org={org} server={server} path={crumb.path}>
                  {crumb.name}
                </FolderLink>
              )}
            </li>
          ))}
        </ol>
      </nav>
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor="file-search" className="sr-only">
          Search this folder by name
        </label>
        <Input
          id="file-search"
          type="search"
          placeholder="Search by name"
          className="w-56"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
          }}
        />
        {can("file.create") ? (
          <>
            <Button size="sm" variant="outline" onClick={newFile}>
              <FilePlus aria-hidden="true" />
              New file
            </Button>
            <Button size="sm" variant="outline" onClick={newFolder}>
              <FolderPlus aria-hidden="true" />
              New folder
            </Button>
            <Button size="sm" variant="outline" disabled={upload !== null} onClick={() => fileInput.current?.click()}>
              <Upload aria-hidden="true" />
              Upload files
            </Button>
            <Button size="sm" variant="outline" disabled={upload !== null} onClick={() => folderInput.current?.click()}>
              <FolderUp aria-hidden="true" />
              Upload folder
            </Button>
            <input
              ref={fileInput}
              type="file"
              multiple
              hidden
              aria-label="Files to upload"
              data-testid="upload-files"
              onChange={(e) => {
                if (e.target.files) void startUpload(pickedFiles(e.target.files));
                e.target.value = "";
              }}
            />
            <input
              ref={folderInput}
              type="file"
              multiple
              hidden
              aria-label="Folder to upload"
              {...{ webkitdirectory: "" }}
              onChange={(e) => {
                if (e.target.files) void startUpload(pickedFiles(e.target.files));
                e.target.value = "";
              }}
            />
          </>
        ) : null}
      </div>
      {upload ? (
        <div className="space-y-1" aria-live="polite">
          <p className="text-sm">
            Uploading {upload.name}: {percent(upload.sent, upload.total)}% ({formatBytes(upload.sent)} of {formatBytes(upload.total)})
          </p>
          <div
            role="progressbar"
            aria-label={`Uploading ${upload.name}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent(upload.sent, upload.total)}
            className="h-2 overflow-hidden rounded-full bg-muted"
          >
            <div className="h-full bg-primary transition-[width]" style={{ width: `${String(percent(upload.sent, upload.total))}%` }} />
          </div>
        </div>
      ) : null}
      {chosen.length > 0 ? (
        <div role="toolbar" aria-label="Selected items" className="flex flex-wrap items-center gap-2 rounded-md border bg-muted/40 p-2">
          <span className="text-sm font-medium">{formatCount(chosen.length)} selected</span>
          {one && can("file.update") ? (
            <Button size="sm" variant="outline" onClick={() => { rename(one); }}>
              <Pencil aria-hidden="true" />
              Rename
            </Button>
          ) : null}
          {can("file.update") ? (
            <Button size="sm" variant="outline" onClick={() => { move(chosen); }}>
              <MoveRight aria-hidden="true" />
              Move
            </Button>
          ) : null}
          {one?.file && can("file.create") ? (
            <Button size="sm" variant="outline" onClick={() => { run({ kind: "copy", location: joinPath(directory, one.name) }); }}>
              <Copy aria-hidden="true" />
              Copy
            </Button>
          ) : null}
          {one?.file && can("file.read-content") ? (
            <Button size="sm" variant="outline" onClick={() => void download(one)}>
              <Download aria-hidden="true" />
              Download
            </Button>
          ) : null}
          {can("file.archive") ? (
            <Button size="sm" variant="outline" onClick={() => { run({ kind: "compress", root: directory, files: chosen.map((e) => e.name) }); }}>
              <Package aria-hidden="true" />
              Compress
            </Button>
          ) : null}
          {one && isArchive(one.name) && can("file.archive") ? (
            <Button size="sm" variant="outline" onClick={() => { run({ kind: "decompress", root: directory, file: one.name }); }}>
              <PackageOpen aria-hidden="true" />
              Unpack
            </Button>
          ) : null}
          {can("file.update") ? (
            <Button size="sm" variant="outline" onClick={() => { chmod(chosen); }}>
              <Lock aria-hidden="true" />
              Permissions
            </Button>
          ) : null}
          {can("file.delete") ? (
            <ConfirmDialog
              trigger={
                <Button size="sm" variant="destructive">
                  <Trash2 aria-hidden="true" />
                  Delete
                </Button>
              }
              title={`Delete ${chosen.length === 1 ? (one?.name ?? "") : `${formatCount(chosen.length)} items`}?`}
              description="They are removed from the server's disk. This cannot be undone."
              confirmLabel="Delete"
              onConfirm={() => {
                run({ kind: "delete", root: directory, files: chosen.map((e) => e.name) });
              }}
            />
          ) : null}
          <Button size="sm" variant="ghost" onClick={clearSelection}>
            Clear selection
          </Button>
        </div>
      ) : null}
      <div
        onDragOver={(e) => {
          if (!can("file.create")) return;
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => {
          setDragging(false);
        }}
        onDrop={onDrop}
        className={cn("rounded-md border", dragging && "ring-2 ring-primary")}
        data-testid="file-drop"
      >
        {listing.isPending ? (
          <div className="p-3">
            <ListSkeleton label={`Loading ${directory}`} rows={6} />
          </div>
        ) : listing.isError ? (
          <div className="p-3">
            <ErrorState title={`Could not list ${directory}`} error={new Error(wingsErrorMessage(listing.error))} onRetry={() => void listing.refetch()} />
          </div>
        ) : sorted.length === 0 ? (
          <div className="p-3">
            <EmptyState icon={Folder} title="This folder is empty">
              {can("file.create") ? "Drop files or folders here to upload them." : null}
            </EmptyState>
          </div>
        ) : (
          <FileRows
            org={org}
            server={server}
            directory={directory}
            rows={rows}
            total={sorted.length}
            sort={sort}
            onSort={(key) => {
              setSort((s) => nextSort(s, key));
            }}
            selected={selected}
            onToggle={toggle}
            allChosen={allChosen}
            onToggleAll={() => {
              setSelected(allChosen ? new Set() : new Set(rows.map((r) => r.name)));
            }}
            onOpen={(entry) => {
              if (isEditable(entry) && can("file.read-content")) onEdit(joinPath(directory, entry.name));
              else if (entry.file && can("file.read-content")) void download(entry);
            }}
          />
        )}
      </div>
      <p role="status" className="text-sm text-muted-foreground">
        {listing.isSuccess
          ? rows.length === sorted.length
            ? `${formatCount(sorted.length)} items`
            : `${formatCount(rows.length)} of ${formatCount(sorted.length)} items match`
          : ""}
        {can("file.create") ? " · Drop files or folders on the list to upload them." : ""}
      </p>
      <PromptDialog
        request={prompt}
        onClose={() => {
          setPrompt(null);
        }}
      />
    </section>
  );
}

function FolderLink({ org, server, path, children }: { org: string; server: string; path: string; children: ReactNode }) {
  return (
    <Link
      to="/o/$org/game-servers/$server"
      params={{ org, server }}
      search={{ tab: "files", path }}
      className="underline-offset-4 hover:underline focus-visible:rounded-sm focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none"
    >
      {children}
    </Link>
  );
}

const SORT_LABELS: Record<SortKey, string> = { name: "Name", size: "Size", modified: "Modified" };

function SortHeader({ sort, column, onSort, className }: { sort: FileSort; column: SortKey; onSort: (key: SortKey) => void; className?: string }) {
  const active = sort.key === column;
  return (
    <div role="columnheader" aria-sort={active ? (sort.direction === "asc" ? "ascending" : "descending") : "none"} className={className}>
      <button
        type="button"
        className="inline-flex items-center gap-1 rounded-sm text-xs font-medium text-muted-foreground hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none"
        onClick={() => {
          onSort(column);
        }}
      >
        {SORT_LABELS[column]}
        {active ? (
          sort.direction === "asc" ? <ArrowUp className="size-3" aria-hidden="true" /> : <ArrowDown className="size-3" aria-hidden="true" />
        ) : null}
        <span className="sr-only">{active ? `, sorted ${sort.direction === "asc" ? "ascending" : "descending"}` : ", sort"}</span>
      </button>
    </div>
  );
}

/** The listing: only the rows in view are in the page, so 10,000 entries scroll as smoothly as ten. */
function FileRows({
  org,
  server,
  directory,
  rows,
  total,
  sort,
  onSort,
  selected,
  onToggle,
  allChosen,
  onToggleAll,
  onOpen,
}: {
  org: string;
  server: string;
  directory: string;
  rows: readonly FileStat[];
  total: number;
  sort: FileSort;
  onSort: (key: SortKey) => void;
  selected: ReadonlySet<string>;
  onToggle: (name: string) => void;
  allChosen: boolean;
  onToggleAll: () => void;
  onOpen: (entry: FileStat) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- TanStack Virtual returns fresh functions by design
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_PX,
    overscan: 12,
  });

  return (
    <div role="table" aria-label={`Files in ${directory}`} aria-rowcount={rows.length + 1}>
      <div role="rowgroup">
        <div role="row" aria-rowindex={1} className={cn(GRID, "h-10 border-b")}>
          <div role="columnheader" className="flex justify-center">
            <input
              type="checkbox"
              aria-label="Select all"
              checked={allChosen}
              onChange={onToggleAll}
              className="size-4 accent-primary"
            />
          </div>
          <SortHeader sort={sort} column="name" onSort={onSort} />
          <SortHeader sort={sort} column="size" onSort={onSort} className="text-right" />
          <SortHeader sort={sort} column="modified" onSort={onSort} />
          <div role="columnheader" className="text-xs font-medium text-muted-foreground">
            Mode
          </div>
        </div>
      </div>
      {rows.length === 0 ? (
        <p className="p-4 text-sm text-muted-foreground">Nothing in this folder matches ({formatCount(total)} items in all).</p>
      ) : (
        <div
          ref={scroller}
          role="rowgroup"
          tabIndex={0}
          aria-label="File list, scrolls"
          className="h-[32rem] overflow-auto focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none"
          data-testid="file-scroller"
        >
          <div className="relative w-full" style={{ height: `${String(virtualizer.getTotalSize())}px` }}>
            {virtualizer.getVirtualItems().map((item) => {
              const entry = rows[item.index];
              if (!entry) return null;
              const checked = selected.has(entry.name);
              // Muted text on a selected row's muted background falls below 4.5:1.
              const dim = checked ? "text-foreground" : "text-muted-foreground";
              return (
                <div
                  key={entry.name}
                  role="row"
                  aria-rowindex={item.index + 2}
                  aria-selected={checked}
                  className={cn(GRID, "absolute inset-x-0 border-b text-sm hover:bg-muted/50", checked && "bg-muted")}
                  style={{ height: `${String(ROW_PX)}px`, transform: `translateY(${String(item.start)}px)` }}
                >
                  <div role="cell" className="flex justify-center">
                    <input
                      type="checkbox"
                      aria-label={`Select ${entry.name}`}
                      checked={checked}
                      onChange={() => {
                        onToggle(entry.name);
                      }}
                      className="size-4 accent-primary"
                    />
                  </div>
                  <div role="cell" className="flex min-w-0 items-center gap-2">
                    {entry.directory ? (
                      <Folder className="size-4 shrink-0 text-amber-600" aria-hidden="true" />
                    ) : (
                      <FileIcon className="size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
                    )}
                    {entry.directory ? (
                      <FolderLink org={org} server={server} path={joinPath(directory, entry.name)}>
                        <span className="truncate">{entry.name}</span>
                      </FolderLink>
                    ) : (
                      <button
                        type="button"
                        className="truncate rounded-sm text-left underline-offset-4 hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none"
                        onClick={() => {
                          onOpen(entry);
                        }}
                      >
                        {entry.name}
                      </button>
                    )}
                  </div>
                  <div role="cell" className="text-right font-mono text-xs tabular-nums">
                    {entry.directory ? "" : formatBytes(entry.size)}
                  </div>
                  <div role="cell" className={cn("truncate text-xs", dim)}>
                    {formatDateTime(entry.modified)}
                  </div>
                  <div role="cell" className={cn("font-mono text-xs", dim)}>
                    {entry.mode_bits}
                  </div>
                </div>
              );
            })}
          </div>
        </div>
      )}
    </div>
  );
}
