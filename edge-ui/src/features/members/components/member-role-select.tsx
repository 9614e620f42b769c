import type { Member } from "@/api/generated/Member";
import type { Role } from "@/api/generated/Role";
import { WithReason } from "@/components/with-reason";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { ASSIGNABLE_ROLES } from "@/features/members/schemas/member";
import { roleLabel } from "@/lib/authorization";

function isAssignable(value: string): value is (typeof ASSIGNABLE_ROLES)[number] {
  return ASSIGNABLE_ROLES.some((role) => role === value);
}

type MemberRoleSelectProps = {
  member: Member;
  /** Why the caller may not change this role; the select is disabled when set. */
  disabledReason?: string;
  pending?: boolean;
  onChange: (role: Exclude<Role, "owner">) => void;
};

/** A member's role, changeable by those who may. */
export function MemberRoleSelect({ member, disabledReason, pending = false, onChange }: MemberRoleSelectProps) {
  return (
    <WithReason reason={disabledReason}>
      <Select
        value={member.role}
        disabled={Boolean(disabledReason) || pending}
        onValueChange={(value) => {
          if (isAssignable(value) && value !== member.role) onChange(value);
        }}
      >
        <SelectTrigger size="sm" className="w-32" aria-label={`Role of ${member.name}`}>
          <SelectValue />
        </SelectTrigger>
        <SelectContent>
          {member.role === "owner" ? <SelectItem value="owner">{roleLabel("owner")}</SelectItem> : null}
          {ASSIGNABLE_ROLES.map((role) => (
            <SelectItem key={role} value={role}>
              {roleLabel(role)}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </WithReason>
  );
}
