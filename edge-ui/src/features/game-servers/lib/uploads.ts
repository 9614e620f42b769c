import { joinPath, parentPath } from "@/features/game-servers/lib/paths";

/** A file to upload with its path below the drop point ("world/level.dat", or just its name). */
export type PendingUpload = { file: File; relativePath: string };

/**
 * Groups uploads by the directory each lands in, below `directory`: a
 * signed upload URL is for one directory, and Wings keeps only a file's
 * base name, so a dropped folder becomes one request per directory.
 * Directories come in a stable order, parents before children.
 */
export function groupByDirectory(directory: string, uploads: readonly PendingUpload[]): [string, File[]][] {
  const groups = new Map<string, File[]>();
  for (const { file, relativePath } of uploads) {
    const target = parentPath(joinPath(directory, relativePath || file.name));
    const list = groups.get(target) ?? [];
    list.push(file);
    groups.set(target, list);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

/** Percent done, 0-100, for `sent` of `total` bytes (100 for nothing to send). */
export function percent(sent: number, total: number): number {
  if (total <= 0) return 100;
  return Math.min(100, Math.max(0, Math.round((sent / total) * 100)));
}

type Entry = {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?: (ok: (f: File) => void, fail: (e: unknown) => void) => void;
  createReader?: () => { readEntries: (ok: (entries: Entry[]) => void, fail: (e: unknown) => void) => void };
};

async function walk(entry: Entry, prefix: string, out: PendingUpload[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile && entry.file) {
    const read = entry.file.bind(entry);
    const file = await new Promise<File>((ok, fail) => {
      read(ok, fail);
    });
    out.push({ file, relativePath: path });
    return;
  }
  if (entry.isDirectory && entry.createReader) {
    const reader = entry.createReader();
    // readEntries answers in batches until an empty one.
    for (;;) {
      const batch = await new Promise<Entry[]>((ok, fail) => {
        reader.readEntries(ok, fail);
      });
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, path, out);
    }
  }
}

/** Every file dropped, folders walked, each with its path below the drop point. */
export async function droppedFiles(data: DataTransfer): Promise<PendingUpload[]> {
  const out: PendingUpload[] = [];
  const entries = [...data.items]
    .map((item) => (item.kind === "file" ? (item.webkitGetAsEntry() as Entry | null) : null))
    .filter((e): e is Entry => e !== null);
  if (entries.length === 0) {
    for (const file of data.files) out.push({ file, relativePath: file.name });
    return out;
  }
  for (const entry of entries) await walk(entry, "", out);
  return out;
}

/** Files chosen in a file or folder picker (`webkitRelativePath` is set for a folder). */
export function pickedFiles(list: FileList): PendingUpload[] {
  return [...list].map((file) => ({ file, relativePath: file.webkitRelativePath || file.name }));
}
