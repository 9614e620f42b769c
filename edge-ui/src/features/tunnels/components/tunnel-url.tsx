import { Check, Copy, QrCode } from "lucide-react";
import { QRCodeSVG } from "qrcode.react";
import { useState } from "react";

import type { Tunnel } from "@/api/generated/Tunnel";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { copyText } from "@/lib/clipboard";

/** A tunnel's full public URL as a link, with a copy button and, for web tunnels, a QR code for phones. */
export function TunnelUrl({ tunnel }: { tunnel: Pick<Tunnel, "name" | "kind" | "public_url"> }) {
  const [copied, setCopied] = useState(false);
  const web = /^https?:\/\//.test(tunnel.public_url);

  return (
    // The whole URL, wrapped anywhere when the cell or stacked row is narrow (never cut off, never widening it).
    <span className="inline-flex max-w-full items-center gap-1 whitespace-normal">
      {web ? (
        <a
          href={tunnel.public_url}
          target="_blank"
          rel="noreferrer"
          className="min-w-0 font-mono text-xs break-all underline underline-offset-4"
        >
          {tunnel.public_url}
        </a>
      ) : (
        <span className="min-w-0 font-mono text-xs break-all">{tunnel.public_url}</span>
      )}
      <Button
        type="button"
        variant="ghost"
        size="icon"
        className="size-7 shrink-0"
        aria-label={`Copy the URL of ${tunnel.name}`}
        onClick={() => {
          void copyText(tunnel.public_url, "URL").then(setCopied);
        }}
      >
        {copied ? <Check aria-hidden="true" /> : <Copy aria-hidden="true" />}
      </Button>
      {web ? (
        <Dialog>
          <DialogTrigger asChild>
            <Button
              type="button"
              variant="ghost"
              size="icon"
              className="size-7 shrink-0"
              aria-label={`QR code of ${tunnel.name}`}
            >
              <QrCode aria-hidden="true" />
            </Button>
          </DialogTrigger>
          <DialogContent className="sm:max-w-sm">
            <DialogHeader>
              <DialogTitle>Open {tunnel.name} on a phone</DialogTitle>
              <DialogDescription>Scan the code with the phone&apos;s camera.</DialogDescription>
            </DialogHeader>
            <div className="mx-auto w-fit rounded-lg border bg-white p-3">
              <QRCodeSVG
                value={tunnel.public_url}
                size={208}
                bgColor="#ffffff"
                fgColor="#000000"
                title={`QR code of ${tunnel.public_url}`}
                role="img"
                aria-label={`QR code of ${tunnel.public_url}`}
              />
            </div>
            <p className="text-center font-mono text-xs break-all">{tunnel.public_url}</p>
          </DialogContent>
        </Dialog>
      ) : null}
    </span>
  );
}
