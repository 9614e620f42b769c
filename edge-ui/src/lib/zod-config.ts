import { z } from "zod";

/**
 * Zod compiles object parsers with `new Function` unless told not to, and
 * its probe for that is reported as a Content-Security-Policy violation
 * (`script-src 'self'` allows no eval) even though it is caught. Imported
 * first by main.tsx, before any schema is built.
 */
z.config({ jitless: true });
