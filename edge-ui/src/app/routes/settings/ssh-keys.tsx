import { createRoute } from "@tanstack/react-router";

import { settingsRoute } from "@/app/routes/settings/settings";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { AddSshKeyDialog } from "@/features/ssh-keys/components/add-ssh-key-dialog";
import { SshKeysList } from "@/features/ssh-keys/components/ssh-keys-list";
import { pageHead } from "@/lib/page-title";

export const sshKeysRoute = createRoute({
  getParentRoute: () => settingsRoute,
  path: "ssh-keys",
  head: () => pageHead("SSH keys", "Settings"),
  component: () => (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          SSH keys
        </CardTitle>
        <CardDescription>
          Your keys let you run <code className="font-mono">ssh -R</code> on the tunnel hosts of every organization
          you belong to. A key not listed here can also be added when you first connect: the host shows a code to
          enter at <code className="font-mono">/activate</code>.
        </CardDescription>
        <CardAction>
          <AddSshKeyDialog />
        </CardAction>
      </CardHeader>
      <CardContent>
        <SshKeysList />
      </CardContent>
    </Card>
  ),
});
