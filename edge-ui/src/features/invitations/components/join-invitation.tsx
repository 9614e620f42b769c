import { zodResolver } from "@hookform/resolvers/zod";
import { Link } from "@tanstack/react-router";
import { useForm } from "react-hook-form";

import type { Me } from "@/api/generated/Me";
import { ErrorState, ListSkeleton } from "@/components/query-states";
import { FormRootError, TextField } from "@/components/text-field";
import { Button } from "@/components/ui/button";
import { Form } from "@/components/ui/form";
import { useAcceptInvitation, useJoinPreview } from "@/features/invitations/api/join";
import {
  joinAccountSchema,
  type JoinAccountValues,
  type JoinPreview,
} from "@/features/invitations/schemas/invitation";
import { ApiError } from "@/lib/api-client";
import { roleLabel } from "@/lib/authorization";
import { applyServerErrors } from "@/lib/form-errors";
import { formatExpiry } from "@/lib/format";

type JoinInvitationProps = {
  token: string;
  /** Called with the account and the organization joined (and the server, for an invitation to one server). */
  onJoined: (me: Me, org: string, server: string | null) => void;
};

/** An invitation: what it offers, then joining as the signed-in user or with a new account. */
export function JoinInvitation({ token, onJoined }: JoinInvitationProps) {
  const preview = useJoinPreview(token);

  if (preview.isPending) return <ListSkeleton label="Checking the invitation…" rows={2} />;
  if (preview.isError) {
    if (preview.error instanceof ApiError && preview.error.status === 404)
      return (
        <div role="alert" className="grid gap-3 text-sm">
          <p className="font-medium text-destructive">This invitation link is not valid.</p>
          <p className="text-muted-foreground">
            It may have expired, been revoked, or been used already. Ask for a new link.
          </p>
          <Button asChild variant="outline">
            <Link to="/login">Go to sign-in</Link>
          </Button>
        </div>
      );
    return (
      <ErrorState title="Could not load the invitation." error={preview.error} onRetry={() => void preview.refetch()} />
    );
  }

  const invite = preview.data;
  return (
    <div className="grid gap-5">
      <InvitationSummary invite={invite} />
      {invite.signed_in_as ? (
        <JoinAsSignedIn token={token} invite={invite} onJoined={onJoined} />
      ) : (
        <JoinWithNewAccount token={token} invite={invite} onJoined={onJoined} />
      )}
    </div>
  );
}

function InvitationSummary({ invite }: { invite: JoinPreview }) {
  return (
    <div className="grid gap-1 rounded-lg border bg-muted/40 p-4 text-sm">
      {invite.server ? (
        <p>
          You are invited to the game server <strong>{invite.server.name}</strong> of{" "}
          <strong>{invite.organization.name}</strong>.
        </p>
      ) : (
        <p>
          You are invited to join <strong>{invite.organization.name}</strong> as{" "}
          <strong>{invite.role ? roleLabel(invite.role).toLowerCase() : "a member"}</strong>.
        </p>
      )}
      <p className="text-muted-foreground">The link expires <time dateTime={invite.expires_at}>{formatExpiry(invite.expires_at)}</time>.</p>
    </div>
  );
}

function JoinAsSignedIn({ token, invite, onJoined }: { token: string; invite: JoinPreview } & Pick<JoinInvitationProps, "onJoined">) {
  const accept = useAcceptInvitation(token);
  const visitor = invite.signed_in_as;
  return (
    <div className="grid gap-3">
      {visitor ? (
        <p className="text-sm">
          Signed in as <span className="font-medium">{visitor.name}</span>{" "}
          <span className="text-muted-foreground">({visitor.email})</span>.
        </p>
      ) : null}
      {accept.isError ? (
        <p role="alert" className="text-sm text-destructive">
          {accept.error.message}
        </p>
      ) : null}
      <Button
        disabled={accept.isPending}
        onClick={() => {
          accept.mutate({}, { onSuccess: (me) => { onJoined(me, invite.organization.slug, invite.server?.id ?? null); } });
        }}
      >
        {accept.isPending ? "Joining…" : `Join ${invite.server?.name ?? invite.organization.name}`}
      </Button>
    </div>
  );
}

function JoinWithNewAccount({ token, invite, onJoined }: { token: string; invite: JoinPreview } & Pick<JoinInvitationProps, "onJoined">) {
  const accept = useAcceptInvitation(token);
  const form = useForm({
    resolver: zodResolver(joinAccountSchema),
    defaultValues: { name: "", email: "", password: "" },
  });

  function onSubmit(values: JoinAccountValues) {
    accept.mutate(values, {
      onSuccess: (me) => {
        onJoined(me, invite.organization.slug, invite.server?.id ?? null);
      },
      onError: (error) => {
        if (applyServerErrors(form, error, ["name", "email", "password"])) return;
        if (error instanceof ApiError && error.code === "email_taken")
          form.setError("email", { message: error.message }, { shouldFocus: true });
        else if (error instanceof ApiError) form.setError("root.server", { message: error.message });
      },
    });
  }

  return (
    <Form {...form}>
      <form noValidate onSubmit={(e) => void form.handleSubmit(onSubmit)(e)} className="grid gap-4">
        <p className="text-sm text-muted-foreground">Create your account to join.</p>
        <FormRootError />
        <TextField control={form.control} name="name" label="Your name" autoComplete="name" autoFocus />
        <TextField
          control={form.control}
          name="email"
          label="Email"
          type="email"
          autoComplete="email"
        />
        <TextField
          control={form.control}
          name="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          description="At least 12 characters."
        />
        <Button type="submit" disabled={accept.isPending}>
          {accept.isPending ? "Joining…" : "Create account and join"}
        </Button>
        <p className="text-center text-sm text-muted-foreground">
          Already have an account?{" "}
          <Link
            to="/login"
            search={{ redirect: `/join/${token}` }}
            className="font-medium text-foreground underline underline-offset-4"
          >
            Sign in first
          </Link>
        </p>
      </form>
    </Form>
  );
}
