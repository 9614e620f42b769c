import { Download, KeyRound } from "lucide-react";

import { ConfirmDialog } from "@/components/confirm-dialog";
import { CopyField } from "@/components/copy-field";
import { ErrorState, ListSkeleton } from "@/components/query-states";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Label } from "@/components/ui/label";
import { useNodeConfiguration, useRotateToken } from "@/features/nodes/api/nodes";
import type { NodeRow } from "@/features/nodes/schemas/node";
import { copyText } from "@/lib/clipboard";

/** Saves `text` as a file named `name`, from memory (no request, no inline script). */
function saveFile(name: string, text: string, type: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
}

/**
 * The node's `config.yml` (to copy or download) and the one line that
 * installs it; then token rotation, which asks first: it disconnects the
 * node until the new file is on it.
 */
export function NodeConfiguration({ org, node }: { org: string; node: NodeRow }) {
  const configuration = useNodeConfiguration(org, node.id);
  const rotate = useRotateToken(org, node);

  return (
    <Card>
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Configuration
        </CardTitle>
        <CardDescription>
          Run the install command as root on the node, or save config.yml as /etc/pelican/config.yml and restart Wings.
          It holds the node&apos;s token: keep it secret.
        </CardDescription>
        <CardAction>
          <ConfirmDialog
            trigger={
              <Button variant="outline" disabled={rotate.isPending}>
                <KeyRound aria-hidden="true" />
                {rotate.isPending ? "Rotating…" : "Rotate token"}
              </Button>
            }
            title={`Rotate the token of ${node.name}?`}
            description="Flamingo stops accepting the current token at once: the node cannot call the panel (boot, installs, SFTP sign-ins) and its consoles stop until you install the new config.yml on it and restart Wings."
            confirmLabel="Rotate token"
            onConfirm={() => {
              rotate.mutate();
            }}
          />
        </CardAction>
      </CardHeader>
      <CardContent className="grid gap-4">
        {configuration.isPending ? (
          <ListSkeleton label="Loading the configuration…" rows={2} />
        ) : configuration.isError ? (
          <ErrorState
            title="Could not load the configuration."
            error={configuration.error}
            onRetry={() => void configuration.refetch()}
          />
        ) : (
          <>
            <CopyField
              label="Install command"
              value={configuration.data.install_command}
              description="Writes config.yml and restarts Wings."
            />
            <CopyField label="wings configure command" value={configuration.data.configure_command} />
            <div className="grid gap-2">
              <Label htmlFor="node-config-yml">config.yml</Label>
              <textarea
                id="node-config-yml"
                readOnly
                value={configuration.data.yaml}
                rows={10}
                className="w-full rounded-md border bg-muted/40 px-3 py-2 font-mono text-xs outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
              />
              <div className="flex flex-wrap gap-2">
                <Button
                  variant="outline"
                  onClick={() => {
                    void copyText(configuration.data.yaml, "config.yml");
                  }}
                >
                  Copy config.yml
                </Button>
                <Button
                  variant="outline"
                  onClick={() => {
                    saveFile("config.yml", configuration.data.yaml, "text/yaml");
                  }}
                >
                  <Download aria-hidden="true" />
                  Download config.yml
                </Button>
              </div>
            </div>
          </>
        )}
      </CardContent>
    </Card>
  );
}
