// First, before any schema is built: no eval under the Content-Security-Policy.
import "@/lib/zod-config";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "@/app/app";
import { onCaughtError } from "@/lib/caught-errors";
import "@/index.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

// Errors a boundary shows in words (a 4xx, a lost connection) are not console errors.
createRoot(root, { onCaughtError }).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
