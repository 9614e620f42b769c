-- Organization slugs are never shaped like ids (a UUID with or without
-- dashes): `/api/orgs/{org}` reads such a value as an id, and a slug equal to
-- another organization's id used to stand in for that organization. The app
-- no longer makes such slugs; any made before are renamed here to `org-` and
-- random hex (unguessable, so nobody can take the new name first and make
-- this migration fail). No trigger backs the rule: wrangler's remote
-- migrations have split trigger bodies, and every slug is made by one function.

UPDATE organizations SET slug = 'org-' || lower(hex(randomblob(6)))
WHERE (length(slug) = 32 AND slug NOT GLOB '*[^0-9a-fA-F]*')
   OR (length(slug) = 36
       AND substr(slug, 9, 1) = '-' AND substr(slug, 14, 1) = '-'
       AND substr(slug, 19, 1) = '-' AND substr(slug, 24, 1) = '-'
       AND length(replace(slug, '-', '')) = 32
       AND replace(slug, '-', '') NOT GLOB '*[^0-9a-fA-F]*');
