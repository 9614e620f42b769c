/** How many commands the console line remembers. */
export const HISTORY_LIMIT = 100;

/**
 * A console line's command history, as a shell keeps it: the newest last,
 * a repeat of the last command not stored twice, arrow up walks back, arrow
 * down walks forward to the line being typed.
 */
export type CommandHistory = {
  entries: readonly string[];
  /** Index into `entries` while walking, or null while typing a new line. */
  cursor: number | null;
  /** What was typed before walking started, given back at the bottom. */
  draft: string;
};

export const emptyHistory: CommandHistory = { entries: [], cursor: null, draft: "" };

/** Remembers a sent command and stops walking. */
export function remember(history: CommandHistory, command: string, limit = HISTORY_LIMIT): CommandHistory {
  const trimmed = command.trim();
  if (trimmed === "") return { ...history, cursor: null, draft: "" };
  const last = history.entries[history.entries.length - 1];
  const entries = last === command ? history.entries : [...history.entries, command].slice(-limit);
  return { entries, cursor: null, draft: "" };
}

/** Arrow up: the previous command (stays at the oldest). Returns the new state and the line to show. */
export function older(history: CommandHistory, current: string): [CommandHistory, string] {
  if (history.entries.length === 0) return [history, current];
  if (history.cursor === null) {
    const cursor = history.entries.length - 1;
    return [{ ...history, cursor, draft: current }, history.entries[cursor] ?? current];
  }
  const cursor = Math.max(0, history.cursor - 1);
  return [{ ...history, cursor }, history.entries[cursor] ?? current];
}

/** Arrow down: the next command, then the draft again. */
export function newer(history: CommandHistory, current: string): [CommandHistory, string] {
  if (history.cursor === null) return [history, current];
  const cursor = history.cursor + 1;
  if (cursor >= history.entries.length) return [{ ...history, cursor: null }, history.draft];
  return [{ ...history, cursor }, history.entries[cursor] ?? current];
}
