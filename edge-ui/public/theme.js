// Sets the theme class before first paint so there is no flash of the wrong
// theme. Loaded by a plain (blocking) <script src> in index.html's <head>, as
// a file of its own so the Content-Security-Policy needs no 'unsafe-inline'
// for scripts. Keep in step with src/components/theme/theme-storage.ts (key
// "flamingo-theme").
(function () {
  try {
    var t = localStorage.getItem("flamingo-theme");
    var dark = t === "dark" || (t !== "light" && matchMedia("(prefers-color-scheme: dark)").matches);
    document.documentElement.classList.toggle("dark", dark);
    document.documentElement.style.colorScheme = dark ? "dark" : "light";
  } catch (e) {}
})();
