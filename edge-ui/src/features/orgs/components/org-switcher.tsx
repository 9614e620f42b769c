import { Link, useNavigate } from "@tanstack/react-router";
import { Building2, Check, ChevronsUpDown, Plus } from "lucide-react";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { CreateOrganizationDialog } from "@/features/orgs/components/create-organization-dialog";
import { useMe } from "@/lib/auth";
import { roleLabel } from "@/lib/authorization";

/** The current organization; lists the others to switch to and creates new ones. */
export function OrgSwitcher({ org }: { org: string }) {
  const { memberships } = useMe();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const current = memberships.find((m) => m.slug === org);
  const name = current?.name ?? org;

  return (
    <>
      {/* Not modal, so the dialog opened from it gets the focus and pointer back. */}
      <DropdownMenu modal={false}>
        <DropdownMenuTrigger asChild>
          <Button variant="outline" size="sm" aria-label={`Organization: ${name}`}>
            <Building2 aria-hidden="true" />
            <span className="max-w-40 truncate">{name}</span>
            <ChevronsUpDown className="opacity-60" aria-hidden="true" />
          </Button>
        </DropdownMenuTrigger>
        <DropdownMenuContent align="start" className="w-64">
          <DropdownMenuLabel>Organizations</DropdownMenuLabel>
          <DropdownMenuSeparator />
          {memberships.map((m) => (
            <DropdownMenuItem key={m.org_id} asChild>
              <Link to="/o/$org" params={{ org: m.slug }} aria-current={m.slug === org ? "true" : undefined}>
                <span className="flex min-w-0 flex-1 flex-col">
                  <span className="truncate">{m.name}</span>
                  <span className="text-xs text-muted-foreground">{roleLabel(m.role)}</span>
                </span>
                {m.slug === org ? <Check aria-label="Current organization" /> : null}
              </Link>
            </DropdownMenuItem>
          ))}
          <DropdownMenuSeparator />
          <DropdownMenuItem
            onSelect={() => {
              setCreating(true);
            }}
          >
            <Plus aria-hidden="true" />
            Create organization
          </DropdownMenuItem>
        </DropdownMenuContent>
      </DropdownMenu>
      <CreateOrganizationDialog
        open={creating}
        onOpenChange={setCreating}
        onCreated={(created) => {
          void navigate({ to: "/o/$org", params: { org: created.slug } });
        }}
      />
    </>
  );
}
