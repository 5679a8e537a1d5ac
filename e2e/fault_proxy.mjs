// A loopback TCP proxy that misbehaves on command, for the browser tests' fault
// stories. Open a page on `proxy.url` instead of the server's: its HTTP requests
// and its WebSocket (the app opens `ws://${location.host}/ws`) then all cross the
// proxy, while pages opened on the server's own URL are untouched.
//
//   const proxy = await FaultProxy.start(world.server.url);
//   proxy.blackhole(); … proxy.pass(); … await proxy.close();
//
// Commands, each taking effect at once on every connection:
//
// - `pass()`: bytes flow (the default). Whatever a blackhole held back is
//   delivered first, in order.
// - `blackhole()`: the network goes silent without closing anything. Every
//   connection, open or opened later, stops delivering bytes both ways, and its
//   closes too (FIN or RST), until `pass()`: the peers keep a socket that looks
//   open and hears nothing (half-open). A connection opened during the blackhole
//   is accepted (so the browser's connect succeeds) but the proxy only dials the
//   server on `pass()`. Held bytes are kept, not dropped: when the route comes
//   back they arrive late, as TCP's retransmissions would deliver them; a peer
//   that has given up on the connection by then ignores them. New connections
//   are held too (a mode, not a one-off) so that the app's reconnect attempts
//   hang until `pass()`, as in a real outage, and the outage outlasts the 2 s
//   in which the app hides a blip from its badge.
// - `reset()`: every open connection is torn down with a TCP RST on both sides
//   (`socket.resetAndDestroy()`), as when a middlebox forgets them; the mode
//   (pass, blackhole, delay) is unchanged for the connections that follow.
// - `delay(ms)`: every byte from now on is delivered `ms` later, in order
//   (`delay(0)` ends it).
//
// `proxy.connections` logs every connection accepted: `{ opened }` (Date.now())
// and `request`, the first line the browser sent on it (e.g. `GET /ws HTTP/1.1`),
// read even during a blackhole, so a test can tell when the app opened a socket.

import net from 'node:net';

export class FaultProxy {
  /** Listens on a free loopback port and forwards to `targetUrl`'s host and port. */
  static async start(targetUrl) {
    const proxy = new FaultProxy(new URL(targetUrl));
    await new Promise((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen(0, '127.0.0.1', resolve);
    });
    proxy.url = `http://127.0.0.1:${proxy.#server.address().port}`;
    return proxy;
  }

  #server;
  #target;
  #links = new Set();
  /** Read by the links: `blackholed` holds every byte, `delayMs` postpones it. */
  blackholed = false;
  delayMs = 0;
  url = null;
  connections = [];

  constructor(target) {
    this.#target = { host: target.hostname, port: Number(target.port) };
    this.#server = net.createServer({ allowHalfOpen: true }, (client) => {
      const entry = { opened: Date.now(), request: null };
      this.connections.push(entry);
      const link = new Link(this, client, entry, () => this.#links.delete(link));
      this.#links.add(link);
      if (!this.blackholed) link.dial(this.#target);
    });
  }

  pass() {
    this.blackholed = false;
    for (const link of this.#links) {
      link.dial(this.#target);
      link.flush();
    }
  }

  blackhole() {
    this.blackholed = true;
  }

  reset() {
    for (const link of this.#links) link.reset();
    this.#links.clear();
  }

  delay(ms) {
    this.delayMs = ms;
  }

  /** The `/ws` sockets the browser opened after `since` (a Date.now() reading). */
  socketsOpenedSince(since) {
    return this.connections.filter((c) => c.opened >= since && c.request?.startsWith('GET /ws ')).length;
  }

  async close() {
    this.reset();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/**
 * One connection through the proxy: the browser's socket, the server's (once
 * dialled), and for each direction a queue of what is still to be delivered
 * (chunks, then maybe the end or a reset), released by `flush()`.
 */
class Link {
  constructor(proxy, client, entry, onGone) {
    this.proxy = proxy;
    this.client = client;
    this.upstream = null;
    this.onGone = onGone;
    this.up = { queue: [], timer: null, done: false }; // browser -> server
    this.down = { queue: [], timer: null, done: false }; // server -> browser
    client.on('data', (chunk) => {
      entry.request ??= chunk.toString('latin1').split('\r\n', 1)[0];
      this.#push(this.up, { chunk });
    });
    this.#watchEnds(client, this.up);
  }

  dial(target) {
    if (this.upstream || this.client.destroyed) return;
    this.upstream = net.connect({ ...target, allowHalfOpen: true });
    this.upstream.on('data', (chunk) => this.#push(this.down, { chunk }));
    this.#watchEnds(this.upstream, this.down);
    this.flush();
  }

  flush() {
    this.#drain(this.up, this.upstream);
    this.#drain(this.down, this.client);
  }

  reset() {
    for (const dir of [this.up, this.down]) clearTimeout(dir.timer);
    this.client.resetAndDestroy();
    this.upstream?.resetAndDestroy();
  }

  /** A FIN is passed on as a FIN, anything else that ends a socket as a reset. */
  #watchEnds(socket, dir) {
    let ended = false;
    socket.on('end', () => {
      ended = true;
      this.#push(dir, { end: true });
    });
    socket.on('error', () => {}); // the 'close' that follows passes it on
    socket.on('close', () => {
      if (!ended) this.#push(dir, { reset: true });
      if (this.client.destroyed && (this.upstream?.destroyed ?? true)) this.onGone();
    });
  }

  #push(dir, item) {
    if (dir.done) return;
    if (item.end || item.reset) dir.done = true;
    dir.queue.push({ ...item, due: Date.now() + this.proxy.delayMs });
    this.flush();
  }

  #drain(dir, to) {
    if (dir.timer || this.proxy.blackholed || !to) return;
    while (dir.queue.length > 0) {
      const wait = dir.queue[0].due - Date.now();
      if (wait > 0) {
        dir.timer = setTimeout(() => {
          dir.timer = null;
          this.flush();
        }, wait);
        return;
      }
      const { chunk, end, reset } = dir.queue.shift();
      if (to.destroyed) continue;
      if (chunk) to.write(chunk);
      else if (end) to.end();
      else if (reset) to.resetAndDestroy();
    }
  }
}
