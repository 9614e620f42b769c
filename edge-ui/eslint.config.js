import js from "@eslint/js";
import { defineConfig, globalIgnores } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import reactRefresh from "eslint-plugin-react-refresh";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig([
  // The API types are generated from Rust (`cargo test`); they are not edited here.
  globalIgnores(["dist", "coverage", "src/api/generated"]),
  {
    files: ["**/*.{ts,tsx}"],
    extends: [
      js.configs.recommended,
      tseslint.configs.strictTypeChecked,
      tseslint.configs.stylisticTypeChecked,
      reactHooks.configs.flat.recommended,
      reactRefresh.configs.vite,
    ],
    languageOptions: {
      globals: globals.browser,
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      "@typescript-eslint/consistent-type-definitions": ["error", "type"],
    },
  },
  {
    // Route modules export route objects, with their small page components beside them.
    files: ["src/app/routes/**/*.tsx"],
    rules: { "react-refresh/only-export-components": "off" },
  },
  {
    // shadcn/ui parts are kept as shadcn writes them; only the recommended rules apply.
    files: ["src/components/ui/**/*.tsx"],
    extends: [tseslint.configs.disableTypeChecked, tseslint.configs.recommended],
    rules: {
      "react-refresh/only-export-components": "off",
    },
  },
  {
    files: ["eslint.config.js"],
    extends: [js.configs.recommended, tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
]);
