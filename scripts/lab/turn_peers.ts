/**
 * Which lab viewer a relayed datagram comes from. Every P2P byte in the
 * lab crosses coturn, so a viewer's own links cannot tell a neighbour from
 * a peer in another region; this reads just enough of TURN (RFC 8656) to
 * know: the relayed address coturn gives each viewer (Allocate success),
 * the channels a viewer binds to peers (ChannelBind), and the peer of each
 * ChannelData message or Data indication. The lab then adds the latency
 * between regions and counts the bytes that cross them.
 * @module
 */

const MAGIC_COOKIE = 0x2112a442;
const ALLOCATE_SUCCESS = 0x0103;
const CHANNEL_BIND_REQUEST = 0x0009;
// RFC 8656 section 17: the Data method (0x007) in the indication class.
const DATA_INDICATION = 0x0017;
const XOR_PEER_ADDRESS = 0x0012;
const XOR_RELAYED_ADDRESS = 0x0016;
const CHANNEL_NUMBER = 0x000c;

/** A STUN message's type and attributes (type → first value), if `bytes` is one. */
function parseStun(
  bytes: Uint8Array,
): { type: number; attributes: Map<number, Uint8Array> } | undefined {
  if (bytes.length < 20 || (bytes[0]! & 0xc0) !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(4) !== MAGIC_COOKIE) return undefined;
  const length = view.getUint16(2);
  if (20 + length > bytes.length) return undefined;
  const attributes = new Map<number, Uint8Array>();
  for (let at = 20; at + 4 <= 20 + length;) {
    const type = view.getUint16(at);
    const size = view.getUint16(at + 2);
    if (at + 4 + size > bytes.length) break;
    if (!attributes.has(type)) {
      attributes.set(type, bytes.subarray(at + 4, at + 4 + size));
    }
    at += 4 + Math.ceil(size / 4) * 4;
  }
  return { type: view.getUint16(0), attributes };
}

/** An XOR-mapped IPv4 address as `ip:port`. */
function xorAddress(value: Uint8Array | undefined): string | undefined {
  if (!value || value.length < 8 || value[1] !== 0x01) return undefined;
  const port = ((value[2]! << 8) | value[3]!) ^ (MAGIC_COOKIE >>> 16);
  const cookie = [0x21, 0x12, 0xa4, 0x42];
  const ip = [0, 1, 2, 3].map((i) => value[4 + i]! ^ cookie[i]!).join(".");
  return `${ip}:${port}`;
}

/** What the lab knows of relayed traffic, for all viewers of one lab network. */
export class TurnPeers {
  /** Relayed address (`ip:port`) → the viewer it was allocated to. */
  #owners = new Map<string, number>();
  /** Per flow (a viewer's socket): channel number → the peer's relayed address. */
  #channels = new Map<string, Map<number, string>>();

  /** A datagram a viewer sent to coturn on `flow`: learns its channel bindings. */
  fromViewer(flow: string, bytes: Uint8Array): void {
    const message = parseStun(bytes);
    if (message?.type !== CHANNEL_BIND_REQUEST) return;
    const number = message.attributes.get(CHANNEL_NUMBER);
    const peer = xorAddress(message.attributes.get(XOR_PEER_ADDRESS));
    if (!number || number.length < 2 || !peer) return;
    let channels = this.#channels.get(flow);
    if (!channels) {
      channels = new Map();
      this.#channels.set(flow, channels);
    }
    channels.set((number[0]! << 8) | number[1]!, peer);
  }

  /**
   * A datagram coturn sent to `viewer` on `flow`: learns its relayed
   * address, and returns the viewer the relayed data came from, if any.
   */
  toViewer(
    viewer: number,
    flow: string,
    bytes: Uint8Array,
  ): number | undefined {
    if (bytes.length >= 4 && bytes[0]! >= 0x40 && bytes[0]! <= 0x7f) {
      const channel = (bytes[0]! << 8) | bytes[1]!;
      const peer = this.#channels.get(flow)?.get(channel);
      return peer === undefined ? undefined : this.#owners.get(peer);
    }
    const message = parseStun(bytes);
    if (message?.type === ALLOCATE_SUCCESS) {
      const relayed = xorAddress(message.attributes.get(XOR_RELAYED_ADDRESS));
      if (relayed) this.#owners.set(relayed, viewer);
      return undefined;
    }
    if (message?.type === DATA_INDICATION) {
      const peer = xorAddress(message.attributes.get(XOR_PEER_ADDRESS));
      return peer === undefined ? undefined : this.#owners.get(peer);
    }
    return undefined;
  }

  /** Forget a flow's channels (it closed). */
  forget(flow: string): void {
    this.#channels.delete(flow);
  }
}
