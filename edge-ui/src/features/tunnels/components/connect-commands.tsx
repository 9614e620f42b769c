import { Link } from "@tanstack/react-router";

import { CopyField } from "@/components/copy-field";
import { ErrorState, ListSkeleton } from "@/components/query-states";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { useTunnelHosts } from "@/features/tunnels/api/tunnel-hosts";
import { HostStatusBadge } from "@/features/tunnels/components/host-status";
import {
  httpCommand,
  reachable,
  suggestedName,
  tcpCommand,
  type ReachableHost,
} from "@/features/tunnels/schemas/tunnel";
import { useMe } from "@/lib/auth";

function HostCommands({ host, name }: { host: ReachableHost; name: string }) {
  return (
    <section aria-labelledby={`connect-${host.id}`} className="grid gap-3">
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <h3 id={`connect-${host.id}`} className="font-medium">
          {host.name}
        </h3>
        <HostStatusBadge status={host.status} />
        <span className="font-mono text-xs text-muted-foreground">
          {host.ssh_host}:{host.ssh_port}
        </span>
      </div>
      <CopyField
        label={`HTTP tunnel on ${host.name}`}
        value={httpCommand(host, name)}
        description={`Serves local port 3000 at ${name}.${host.tunnel_domain}; pick any free name instead of ${name}.`}
      />
      <CopyField
        label={`TCP tunnel on ${host.name}`}
        value={tcpCommand(host)}
        description={`Forwards a public port of ${host.ssh_host} to local port 5432 (a database, say); ssh prints the port it got.`}
      />
    </section>
  );
}

/** For each host that has said where it listens, the commands that open a tunnel on it. */
export function ConnectCommands({ org }: { org: string }) {
  const me = useMe();
  const hosts = useTunnelHosts(org);

  if (hosts.isPending) return <ListSkeleton label="Loading tunnel hosts…" />;
  if (hosts.isError)
    return <ErrorState title="Could not load the tunnel hosts." error={hosts.error} onRetry={() => void hosts.refetch()} />;
  const ready = hosts.data.filter(reachable);
  if (ready.length === 0)
    return (
      <p className="text-sm text-muted-foreground">
        {hosts.data.length === 0 ? "No tunnel host serves this organization yet. " : "No tunnel host has reported its SSH address yet. "}
        Hosts appear here with a command to copy once they are enrolled and connected; see{" "}
        <Link
          to="/o/$org/tunnels/hosts"
          params={{ org }}
          className="font-medium text-foreground underline underline-offset-4"
        >
          Hosts
        </Link>
        .
      </p>
    );
  const name = suggestedName(me.user);
  return (
    <div className="grid gap-6">
      {ready.map((host) => (
        <HostCommands key={host.id} host={host} name={name} />
      ))}
      <p className="text-sm text-muted-foreground">
        Run a command on the machine with the local port and your SSH key (
        <Link
          to="/o/$org/settings/ssh-keys"
          params={{ org }}
          className="font-medium text-foreground underline underline-offset-4"
        >
          Settings → SSH keys
        </Link>
        , or approve it the first time you connect). The tunnel&apos;s address is printed when it opens, and listed above.
      </p>
    </div>
  );
}

/** "Open a tunnel": the commands, filled in with each host's real address, in a card. */
export function OpenATunnel({ org }: { org: string }) {
  return (
    <Card className="mt-6">
      <CardHeader>
        <CardTitle role="heading" aria-level={2}>
          Open a tunnel
        </CardTitle>
        <CardDescription>Each host&apos;s SSH address and port, as the host reports them.</CardDescription>
      </CardHeader>
      <CardContent>
        <ConnectCommands org={org} />
      </CardContent>
    </Card>
  );
}
