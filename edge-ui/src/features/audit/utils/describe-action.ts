const ACTION_LABELS: Record<string, string> = {
  "instance.setup": "set up Flamingo",
  "organization.create": "created the organization",
  "organization.update": "renamed the organization",
  "member.invite": "created an invitation",
  "member.join": "joined",
  "member.role_change": "changed a member's role",
  "member.remove": "removed a member",
  "invitation.revoke": "revoked an invitation",
  "api_key.create": "created an API key",
  "api_key.revoke": "revoked an API key",
  "totp.enable": "turned on two-factor sign-in",
  "totp.disable": "turned off two-factor sign-in",
  "totp.recovery_codes": "made new recovery codes",
};

/** A sentence fragment for an action code, e.g. "joined" for `member.join`. */
export function describeAction(action: string): string {
  return ACTION_LABELS[action] ?? action;
}
