import { createRoute } from "@tanstack/react-router";

import { orgRoute } from "@/app/routes/org";
import { PageHeader } from "@/components/page-header";
import { AuditFilters } from "@/features/audit/components/audit-filters";
import { AuditLogTable } from "@/features/audit/components/audit-log-table";
import { auditSearchSchema } from "@/features/audit/schemas/audit";
import { useMembers } from "@/features/members/api/get-members";
import { pageHead } from "@/lib/page-title";

export const auditLogRoute = createRoute({
  getParentRoute: () => orgRoute,
  path: "audit-log",
  head: () => pageHead("Audit log"),
  validateSearch: auditSearchSchema,
  component: AuditLogPage,
});

function AuditLogPage() {
  const { org } = auditLogRoute.useParams();
  const search = auditLogRoute.useSearch();
  const navigate = auditLogRoute.useNavigate();
  const members = useMembers(org);
  const { page = 1, ...filters } = search;
  const actors = (members.data ?? []).map((m) => ({ id: m.user_id, name: m.name, email: m.email }));

  return (
    <>
      <PageHeader title="Audit log" description="Who changed what in this organization, newest first." />
      <AuditFilters
        actors={actors}
        value={search}
        onApply={(next) => {
          void navigate({ search: next });
        }}
      />
      <AuditLogTable
        org={org}
        filters={filters}
        page={page}
        filtered={Object.values(filters).some(Boolean)}
        onPageChange={(next) => {
          void navigate({ search: (prev) => ({ ...prev, page: next }) });
        }}
      />
    </>
  );
}
