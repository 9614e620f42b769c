// Starts a real S3-compatible server for the backup tests: moto in server
// mode (pinned; installed by scripts/setup.sh into its own virtualenv under
// $FLAMINGO_TOOLS) on 127.0.0.1 and a free port, with one bucket. Parts as
// small as `minPartSize` are accepted, so a small archive still travels in
// several parts. moto does not check SigV4 signatures; the URLs' shape is
// checked by edge-api's unit tests.
import { homedir } from "node:os";
import { join } from "node:path";
import { freePort, launch, waitFor } from "./stack.mjs";

/** Keep in step with MOTO_VERSION in scripts/setup.sh. */
export const MOTO_VERSION = "5.2.5";

function motoServer() {
  const tools = process.env.FLAMINGO_TOOLS ?? join(homedir(), ".cache/flamingo/tools");
  return join(tools, `moto-${MOTO_VERSION}`, "bin", "moto_server");
}

/** Starts moto with `bucket`; `{ endpoint, bucket, accessKey, secretKey, region, stop }`. */
export async function startS3({ bucket = "flamingo-backups", minPartSize = 512 } = {}) {
  const port = await freePort();
  const child = launch(motoServer(), ["-H", "127.0.0.1", "-p", String(port)], {
    env: { ...process.env, S3_UPLOAD_PART_MIN_SIZE: String(minPartSize), MOTO_ALLOW_NONEXISTENT_REGION: "true" },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${endpoint}/moto-api/`)).status < 500, { what: "moto", child, timeoutMs: 60_000 });
    const made = await fetch(`${endpoint}/${bucket}`, { method: "PUT" });
    if (made.status !== 200) throw new Error(`creating bucket ${bucket}: ${made.status} ${await made.text()}`);
  } catch (error) {
    await child.stopGroup();
    throw error;
  }
  return {
    endpoint,
    bucket,
    region: "us-east-1",
    accessKey: "flamingo-test-key",
    secretKey: "flamingo-test-secret",
    child,
    /** The bucket's object keys (ListObjectsV2, unsigned as moto allows). */
    async keys() {
      const text = await (await fetch(`${endpoint}/${bucket}?list-type=2`)).text();
      return [...text.matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
    },
    /** Multipart uploads still open. */
    async openUploads() {
      const text = await (await fetch(`${endpoint}/${bucket}?uploads`)).text();
      return [...text.matchAll(/<UploadId>([^<]+)<\/UploadId>/g)].map((m) => m[1]);
    },
    async stop() {
      await child.stopGroup();
    },
  };
}
