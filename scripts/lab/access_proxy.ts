/**
 * One lab viewer's way out: a TCP proxy to the origin (pages, segments, the
 * tracker's WebSocket) and a UDP forwarder to coturn (every P2P byte, the
 * lab being relay-only), both through the same two {@linkcode Link}s, so
 * HTTP and P2P share the viewer's downlink and uplink as on a real line.
 * Upstream sockets leave from the viewer's own loopback address
 * (127.0.x.y), which is the address the origin and coturn see.
 * @module
 */
import net from "node:net";
import { Link, type LinkCounters } from "./link.ts";
import type { Access } from "./profiles.ts";
import { enlargeReceiveBuffer } from "./socket_buffer.ts";
import type { TurnPeers } from "./turn_peers.ts";

/** Where the viewer's traffic goes. */
export interface Upstreams {
  /** The origin's TCP port on 127.0.0.1. */
  originPort: number;
  /** coturn's UDP port on 127.0.0.1, if P2P goes through the lab. */
  turnPort?: number;
}

/** Where a viewer sits among the lab's regions, and what sits between them. */
export interface RegionPlacement {
  /** This viewer's index in the lab network. */
  index: number;
  /** Its region. */
  region: number;
  /** The region of any viewer, by index. */
  regionOf(index: number): number | undefined;
  /** One-way delay added to relayed data between viewers of different regions (ms). */
  interRegionDelayMs: number;
  /** Which viewer relayed data comes from (shared by the lab network). */
  peers: TurnPeers;
}

/** What one viewer's links carried, by direction and kind. */
export interface AccessCounters {
  /** Towards the viewer. */
  down: LinkCounters & { tcpBytes: number; udpBytes: number };
  /** From the viewer. */
  up: LinkCounters & { tcpBytes: number; udpBytes: number };
  /** Relayed bytes received from a peer of the same region (with regions). */
  p2pSameRegionBytes: number;
  /** Relayed bytes received from a peer of another region (with regions). */
  p2pCrossRegionBytes: number;
}

type ByteCounter = "downTcp" | "downUdp" | "upTcp" | "upUdp";

/** UDP socket buffers (bytes): bursts must queue in our links, not overflow the kernel's. */
const UDP_BUFFER = 4 << 20;

/**
 * A UDP socket on `hostname` whose receive buffer holds a burst.
 * `Deno.listenDatagram` (the child runs with `--unstable-net`) costs about
 * half the CPU per datagram of `node:dgram`, and the lab forwards every
 * P2P packet twice: on 2 cores that decides how many viewers it holds.
 */
function udpSocket(hostname: string): Deno.DatagramConn {
  const socket = Deno.listenDatagram({ transport: "udp", hostname, port: 0 });
  enlargeReceiveBuffer((socket.addr as Deno.NetAddr).port, UDP_BUFFER);
  return socket;
}

/** Read `socket` until it closes, handing each datagram to `onMessage`. */
async function readAll(
  socket: Deno.DatagramConn,
  onMessage: (message: Uint8Array, from: Deno.NetAddr) => void,
): Promise<void> {
  try {
    for await (const [message, from] of socket) {
      onMessage(message, from as Deno.NetAddr);
    }
  } catch {
    // Closed.
  }
}

/** Send without waiting; a send to a vanished peer is a lost datagram. */
function sendTo(socket: Deno.DatagramConn, message: Uint8Array, port: number) {
  socket.send(message, { transport: "udp", hostname: "127.0.0.1", port })
    .catch(() => {});
}

/** UDP flows a viewer may hold open at once (one per TURN allocation). */
const MAX_FLOWS = 256;
/** A UDP flow with no traffic this long is closed (ms). */
const FLOW_IDLE_MS = 120_000;

/** A viewer's proxied access. */
export class ViewerAccess {
  /** Viewer's HTTP entry: `http://127.0.0.1:<httpPort>/`. */
  httpPort = 0;
  /** Viewer's TURN entry (UDP), 0 without coturn. */
  turnPort = 0;
  readonly #down: Link;
  readonly #up: Link;
  readonly #address: string;
  readonly #upstreams: Upstreams;
  readonly #rttMs: number;
  readonly #placement?: RegionPlacement;
  #regionBytes = { same: 0, cross: 0 };
  #server?: net.Server;
  #front?: Deno.DatagramConn;
  #flows = new Map<
    number,
    { socket: Deno.DatagramConn; lastUsed: number }
  >();
  #sockets = new Set<net.Socket>();
  #sweeper?: ReturnType<typeof setInterval>;
  #bytes: Record<ByteCounter, number> = {
    downTcp: 0,
    downUdp: 0,
    upTcp: 0,
    upUdp: 0,
  };

  /** `address` is the viewer's own 127.0.x.y. */
  constructor(
    address: string,
    access: Access,
    upstreams: Upstreams,
    placement?: RegionPlacement,
  ) {
    this.#placement = placement;
    this.#address = address;
    this.#upstreams = upstreams;
    this.#down = new Link(access.down);
    this.#up = new Link(access.up);
    this.#rttMs = access.down.delayMs + access.up.delayMs;
  }

  /** Open the TCP proxy and, with coturn, the UDP forwarder. */
  async start(): Promise<void> {
    const server = net.createServer((client) => this.#accept(client));
    await new Promise<void>((resolve) =>
      server.listen(0, "127.0.0.1", resolve)
    );
    this.#server = server;
    this.httpPort = (server.address() as net.AddressInfo).port;
    if (this.#upstreams.turnPort) {
      const front = udpSocket("127.0.0.1");
      readAll(front, (message, from) => this.#fromViewer(message, from));
      this.#front = front;
      this.turnPort = (front.addr as Deno.NetAddr).port;
      this.#sweeper = setInterval(() => this.#sweep(), 10_000);
    }
  }

  /** What the links carried so far. */
  counters(): AccessCounters {
    return {
      down: {
        ...this.#down.counters,
        tcpBytes: this.#bytes.downTcp,
        udpBytes: this.#bytes.downUdp,
      },
      up: {
        ...this.#up.counters,
        tcpBytes: this.#bytes.upTcp,
        udpBytes: this.#bytes.upUdp,
      },
      p2pSameRegionBytes: this.#regionBytes.same,
      p2pCrossRegionBytes: this.#regionBytes.cross,
    };
  }

  /** Close everything. */
  close(): void {
    clearInterval(this.#sweeper);
    this.#down.close();
    this.#up.close();
    this.#server?.close();
    for (const socket of this.#sockets) socket.destroy();
    this.#front?.close();
    for (const { socket } of this.#flows.values()) socket.close();
    this.#flows.clear();
  }

  #accept(client: net.Socket): void {
    // The TCP handshake takes a round trip before the first request leaves.
    client.pause();
    const origin = net.connect({
      host: "127.0.0.1",
      port: this.#upstreams.originPort,
      localAddress: this.#address,
    });
    for (const socket of [client, origin]) {
      this.#sockets.add(socket);
      socket.on("close", () => this.#sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        origin.destroy();
      });
    }
    this.#pipe(client, origin, this.#up, "upTcp");
    this.#pipe(origin, client, this.#down, "downTcp");
    setTimeout(() => client.resume(), this.#rttMs);
  }

  /**
   * Carry `from`'s bytes to `to` over `link`, a piece at a time: once the
   * link's buffer is full, the rest of a read waits here (and `from` is
   * paused) until it drained to three quarters. A 64 KiB read pushed at
   * once was 175 ms of a 3 Mbit/s line beyond a full buffer, where
   * datagrams beside it found the buffer full most of the time.
   */
  #pipe(
    from: net.Socket,
    to: net.Socket,
    link: Link,
    counter: ByteCounter,
  ): void {
    const waiting: Uint8Array[] = [];
    let paused = false;
    let ended = false;
    const end = () =>
      link.sendStream(0, () => {
        if (!to.destroyed) to.end();
      }, () => {});
    const pump = () => {
      while (waiting.length) {
        const piece = waiting.shift()!;
        const more = link.sendStream(piece.length, () => {
          this.#bytes[counter] += piece.length;
          if (!to.destroyed) to.write(piece);
        }, drained);
        if (!more) {
          paused = true;
          from.pause();
          return;
        }
      }
      if (ended) end();
    };
    const drained = () => {
      paused = false;
      pump();
      if (!paused && !ended) from.resume();
    };
    from.on("data", (chunk: Uint8Array) => {
      for (let at = 0; at < chunk.length; at += link.pieceBytes) {
        waiting.push(chunk.subarray(at, at + link.pieceBytes));
      }
      if (!paused) pump();
    });
    from.on("end", () => {
      ended = true;
      if (!paused && !waiting.length) end();
    });
  }

  #fromViewer(message: Uint8Array, from: Deno.NetAddr): void {
    const flow = this.#flow(from.port);
    if (!flow) return;
    flow.lastUsed = Date.now();
    this.#placement?.peers.fromViewer(this.#flowKey(from.port), message);
    this.#up.sendDatagram(message.length, () => {
      this.#bytes.upUdp += message.length;
      sendTo(flow.socket, message, this.#upstreams.turnPort!);
    });
  }

  /** The upstream socket of the viewer's UDP port `port` (one per TURN allocation). */
  #flow(port: number) {
    const known = this.#flows.get(port);
    if (known) return known;
    if (this.#flows.size >= MAX_FLOWS) return undefined;
    const socket = udpSocket(this.#address);
    readAll(socket, (reply) => {
      const extraMs = this.#fromRegion(port, reply);
      this.#down.sendDatagram(reply.length, () => {
        this.#bytes.downUdp += reply.length;
        const forward = () => {
          if (this.#front) sendTo(this.#front, reply, port);
        };
        if (extraMs > 0) setTimeout(forward, extraMs);
        else forward();
      });
    });
    const flow = { socket, lastUsed: Date.now() };
    this.#flows.set(port, flow);
    return flow;
  }

  #flowKey(port: number): string {
    return `${this.#placement?.index}:${port}`;
  }

  /**
   * With regions: count a relayed datagram by where it came from, and
   * return the delay between the regions (0 within one).
   */
  #fromRegion(port: number, reply: Uint8Array): number {
    const placement = this.#placement;
    if (!placement) return 0;
    const source = placement.peers.toViewer(
      placement.index,
      this.#flowKey(port),
      reply,
    );
    if (source === undefined) return 0;
    if (placement.regionOf(source) === placement.region) {
      this.#regionBytes.same += reply.length;
      return 0;
    }
    this.#regionBytes.cross += reply.length;
    return placement.interRegionDelayMs;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [port, flow] of this.#flows) {
      if (now - flow.lastUsed > FLOW_IDLE_MS) {
        flow.socket.close();
        this.#flows.delete(port);
        this.#placement?.peers.forget(this.#flowKey(port));
      }
    }
  }
}
