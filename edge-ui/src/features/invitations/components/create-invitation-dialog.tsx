import { zodResolver } from "@hookform/resolvers/zod";
import { UserPlus } from "lucide-react";
import { useState } from "react";
import { useForm } from "react-hook-form";

import { CopyField } from "@/components/copy-field";
import { FormRootError, TextField } from "@/components/text-field";
import { WithReason } from "@/components/with-reason";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import {
  Form,
  FormControl,
  FormDescription,
  FormField,
  FormItem,
  FormLabel,
  FormMessage,
} from "@/components/ui/form";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { useCreateInvitation } from "@/features/invitations/api/create-invitation";
import {
  EXPIRY_DAYS,
  INVITABLE_ROLES,
  newInvitationSchema,
  type CreatedInvitation,
  type NewInvitationValues,
} from "@/features/invitations/schemas/invitation";
import { roleLabel } from "@/lib/authorization";
import { showFormError } from "@/lib/form-errors";
import { formatExpiry } from "@/lib/format";

const ROLE_HINTS: Record<(typeof INVITABLE_ROLES)[number], string> = {
  admin: "Manages everything, including members and settings.",
  operator: "Runs tunnels and game servers; reads the rest.",
  viewer: "Looks at everything, changes nothing.",
};

function isInvitableRole(value: string): value is (typeof INVITABLE_ROLES)[number] {
  return INVITABLE_ROLES.some((role) => role === value);
}

/**
 * "Invite people": a role, an optional note of whom it is for and an expiry;
 * then the link, shown once. The link is the credential: Flamingo sends no
 * mail and checks no address, so the dialog says so.
 */
export function CreateInvitationDialog({ org, disabledReason }: { org: string; disabledReason?: string }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<CreatedInvitation | null>(null);
  const create = useCreateInvitation(org);
  const form = useForm<NewInvitationValues>({
    resolver: zodResolver(newInvitationSchema),
    defaultValues: { role: "viewer", email: "", expires_in_days: 7 },
  });

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (!next) {
      setCreated(null);
      form.reset();
    }
  }

  function onSubmit(values: NewInvitationValues) {
    create.mutate(values, {
      onSuccess: setCreated,
      onError: (error) => {
        showFormError(form, error, ["role", "email", "expires_in_days"]);
      },
    });
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <WithReason reason={disabledReason}>
        <DialogTrigger asChild>
          <Button disabled={Boolean(disabledReason)}>
            <UserPlus aria-hidden="true" />
            Invite people
          </Button>
        </DialogTrigger>
      </WithReason>
      <DialogContent>
        {created ? (
          <CreatedLink created={created} onDone={() => { onOpenChange(false); }} />
        ) : (
          <>
            <DialogHeader>
              <DialogTitle>Invite people</DialogTitle>
              <DialogDescription>
                Create a link to share. Anyone with the link can join with the role you choose, so send it
                privately.
              </DialogDescription>
            </DialogHeader>
            <Form {...form}>
              <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
                <FormRootError />
                <FormField
                  control={form.control}
                  name="role"
                  render={({ field }) => (
                    <FormItem>
                      <FormLabel>Role</FormLabel>
                      <Select
                        value={field.value}
                        onValueChange={(value) => {
                          if (isInvitableRole(value)) field.onChange(value);
                        }}
                      >
                        <FormControl>
                          <SelectTrigger className="w-full" onBlur={field.onBlur}>
                            <SelectValue />
                          </SelectTrigger>
                        </FormControl>
                        <SelectContent>
                          {INVITABLE_ROLES.map((role) => (
                            <SelectItem key={role} value={role}>
                              {roleLabel(role)}
                            </SelectItem>
                          ))}
                        </SelectContent>
                      </Select>
                      <FormDescription>{ROLE_HINTS[field.value]}</FormDescription>
                      <FormMessage />
                    </FormItem>
                  )}
                />
                <TextField
                  control={form.control}
                  name="email"
                  label="Meant for (optional)"
                  type="email"
                  autoComplete="off"
                  placeholder="vic@example.com"
                  description="An email to tell this link apart in the list. It is not checked: whoever has the link can join, with any address."
                />
                <FormField
                  control={form.control}
                  name="expires_in_days"
                  render={({ field }) => (
                    <FormItem>
                      <FormLabel>Link expires after</FormLabel>
                      <Select
                        value={String(field.value)}
                        onValueChange={(value) => {
                          field.onChange(Number(value));
                        }}
                      >
                        <FormControl>
                          <SelectTrigger className="w-full" onBlur={field.onBlur}>
                            <SelectValue />
                          </SelectTrigger>
                        </FormControl>
                        <SelectContent>
                          {EXPIRY_DAYS.map((days) => (
                            <SelectItem key={days} value={String(days)}>
                              {days === 1 ? "1 day" : `${String(days)} days`}
                            </SelectItem>
                          ))}
                        </SelectContent>
                      </Select>
                      <FormMessage />
                    </FormItem>
                  )}
                />
                <DialogFooter>
                  <Button type="submit" disabled={create.isPending}>
                    {create.isPending ? "Creating link…" : "Create invitation link"}
                  </Button>
                </DialogFooter>
              </form>
            </Form>
          </>
        )}
      </DialogContent>
    </Dialog>
  );
}

function CreatedLink({ created, onDone }: { created: CreatedInvitation; onDone: () => void }) {
  const link = new URL(created.url, window.location.origin).href;
  const { invitation } = created;

  return (
    <>
      <DialogHeader>
        <DialogTitle>Share the invitation</DialogTitle>
        <DialogDescription>
          Anyone with this link can join as {roleLabel(invitation.role).toLowerCase()} until it expires or is
          used; send it privately{invitation.email ? ` to ${invitation.email}` : ""}. It expires{" "}
          <time dateTime={invitation.expires_at}>{formatExpiry(invitation.expires_at)}</time>.
        </DialogDescription>
      </DialogHeader>
      <CopyField
        label="Invitation link"
        value={link}
        description="Copy it now and send it privately: it is shown only once."
      />
      <DialogFooter>
        <Button onClick={onDone}>Done</Button>
      </DialogFooter>
    </>
  );
}
