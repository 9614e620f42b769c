import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { css } from "@codemirror/lang-css";
import { html } from "@codemirror/lang-html";
import { javascript } from "@codemirror/lang-javascript";
import { json } from "@codemirror/lang-json";
import { markdown } from "@codemirror/lang-markdown";
import { python } from "@codemirror/lang-python";
import { xml } from "@codemirror/lang-xml";
import { yaml } from "@codemirror/lang-yaml";
import {
  bracketMatching,
  defaultHighlightStyle,
  foldGutter,
  indentOnInput,
  StreamLanguage,
  syntaxHighlighting,
} from "@codemirror/language";
import { lua } from "@codemirror/legacy-modes/mode/lua";
import { properties } from "@codemirror/legacy-modes/mode/properties";
import { shell } from "@codemirror/legacy-modes/mode/shell";
import { toml } from "@codemirror/legacy-modes/mode/toml";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { EditorState, type Extension } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";
import { useEffect, useRef } from "react";

import type { Language } from "@/features/game-servers/lib/file-list";

function languageExtension(language: Language): Extension {
  switch (language) {
    case "json":
      return json();
    case "yaml":
      return yaml();
    case "javascript":
      return javascript();
    case "typescript":
      return javascript({ typescript: true });
    case "xml":
      return xml();
    case "html":
      return html();
    case "css":
      return css();
    case "python":
      return python();
    case "markdown":
      return markdown();
    case "properties":
      return StreamLanguage.define(properties);
    case "shell":
      return StreamLanguage.define(shell);
    case "toml":
      return StreamLanguage.define(toml);
    case "lua":
      return StreamLanguage.define(lua);
    case "plain":
      return [];
  }
}

/**
 * A light page for the code in either app theme: CodeMirror's default
 * highlight colours are made for a light background (on a dark one its blue
 * keywords fall below a readable contrast).
 */
const appTheme = EditorView.theme({
  "&": { height: "100%", fontSize: "13px", backgroundColor: "#ffffff", color: "#1f2328" },
  ".cm-content": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", caretColor: "#1f2328" },
  ".cm-gutters": { backgroundColor: "#f6f8fa", color: "#57606a", border: "none" },
  ".cm-activeLine": { backgroundColor: "#f6f8fa" },
  ".cm-activeLineGutter": { backgroundColor: "#eaeef2" },
  "&.cm-focused": { outline: "none" },
  ".cm-scroller": { overflow: "auto" },
});

/**
 * CodeMirror 6 with highlighting for `language`; `onChange` gets every
 * edit's text, `onSave` runs on Ctrl-S / Cmd-S. The document is set once;
 * remount (key) to open another file.
 */
export function CodeEditor({
  initial,
  language,
  label,
  readOnly,
  onChange,
  onSave,
}: {
  initial: string;
  language: Language;
  label: string;
  readOnly: boolean;
  onChange: (text: string) => void;
  onSave: () => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const handlers = useRef({ onChange, onSave });
  useEffect(() => {
    handlers.current = { onChange, onSave };
  });

  useEffect(() => {
    const parent = box.current;
    if (!parent) return;
    const view = new EditorView({
      parent,
      state: EditorState.create({
        doc: initial,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          foldGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          keymap.of([
            {
              key: "Mod-s",
              preventDefault: true,
              run: () => {
                handlers.current.onSave();
                return true;
              },
            },
            indentWithTab,
            ...defaultKeymap,
            ...historyKeymap,
            ...searchKeymap,
          ]),
          languageExtension(language),
          appTheme,
          EditorState.readOnly.of(readOnly),
          EditorView.contentAttributes.of({ "aria-label": label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) handlers.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    return () => {
      view.destroy();
    };
    // One editor per file: the parent remounts it (key) for another.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  return <div ref={box} className="h-[32rem] overflow-hidden rounded-md border" data-testid="code-editor" />;
}
