// Reads Server-Sent Events off a streaming fetch body, as EventSource does
// (without reconnecting), for the whole-system tests and the benches.

/** Parses one SSE block; null for a block without fields (comments, `retry:`). */
function parse(block) {
  const message = { id: undefined, event: "message", data: undefined };
  const data = [];
  let any = false;
  for (const line of block.split("\n")) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "id") message.id = value;
    else if (field === "event") message.event = value;
    else if (field === "data") data.push(value);
    else continue;
    any = true;
  }
  if (!any) return null;
  const text = data.join("\n");
  try {
    message.data = JSON.parse(text);
  } catch {
    message.data = text;
  }
  return message;
}

/**
 * Opens `url` with `Accept: text/event-stream` (and `Last-Event-ID` when
 * `lastEventId` is given); resolves once the response headers arrive. The
 * result reads messages with `next()`, counts comment blocks (`: keepalive`)
 * in `comments`, settles `ended` when the stream ends and `close()`s it.
 */
export async function openEvents(url, { headers = {}, lastEventId } = {}) {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: {
      accept: "text/event-stream",
      ...(lastEventId !== undefined ? { "last-event-id": String(lastEventId) } : {}),
      ...headers,
    },
    signal: controller.signal,
  });
  const messages = [];
  let ended = false;
  let failure = null;
  let wake = () => {};
  const stream = {
    status: res.status,
    headers: res.headers,
    comments: 0,
    /** The next message, or null once the stream ended; throws after `timeoutMs`. */
    async next({ timeoutMs = 10_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (messages.length) return messages.shift();
        if (failure) throw failure;
        if (ended) return null;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no event within ${timeoutMs} ms`);
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    },
    /** Whether nothing arrives (and the stream stays open) for `ms`. */
    async quiet(ms = 500) {
      try {
        await stream.next({ timeoutMs: ms });
        return false;
      } catch {
        return true;
      }
    },
    ended: null,
    close() {
      controller.abort();
    },
  };
  stream.ended = (async () => {
    if (!res.ok || !res.body) {
      await res.text().catch(() => {});
      return;
    }
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk, { stream: true }).replaceAll("\r\n", "\n");
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (block.startsWith(":")) stream.comments += 1;
          const message = parse(block);
          if (message) {
            message.receivedAt = performance.now();
            messages.push(message);
            wake();
          }
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) failure = error;
    }
  })().finally(() => {
    ended = true;
    wake();
  });
  return stream;
}
