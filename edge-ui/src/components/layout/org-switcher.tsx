import { Building2, ChevronsUpDown } from "lucide-react";

import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";

/** Shows the current organization. Switching arrives with accounts and organizations. */
export function OrgSwitcher({ org }: { org: string }) {
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="outline" size="sm" aria-label={`Organization: ${org}`}>
          <Building2 aria-hidden="true" />
          <span className="max-w-40 truncate">{org}</span>
          <ChevronsUpDown className="opacity-60" aria-hidden="true" />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="start" className="w-64">
        <DropdownMenuLabel>Organization</DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuItem disabled>Switching organizations is not built yet</DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
