/**
 * A closed-loop WebTorrent signaling load, as browsers generate it: P peers
 * in S swarms; each announces with 5 offers (~700-byte SDPs), every peer
 * that receives an offer answers at once, and an announcer re-announces as
 * soon as its answers are back (or after a timeout). Some peers churn:
 * they leave and are replaced by new ones.
 * @module
 */

/** Options of {@linkcode runSignalingLoad}. */
export interface LoadOptions {
  /** Tracker WebSocket URL; several (instances of one cluster) take peers in turn. */
  url: string | string[];
  /** Connected peers. */
  peers: number;
  /** Swarms they are spread over. */
  swarms: number;
  /** How long to measure after every peer has joined (ms). */
  durationMs: number;
  /** Peers replaced per second (leave + join). */
  churnPerSecond?: number;
  /** Called when the measured window opens and closes (to sample the tracker's CPU). */
  onWindow?: (edge: "start" | "end") => Promise<void>;
}

/** What a load run measured. */
export interface LoadResult {
  /** Offer/answer exchanges completed (answers received by announcers). */
  exchanges: number;
  /** Measured seconds. */
  seconds: number;
  /** Offer→answer round trips in ms (one per exchange). */
  roundTrips: number[];
  /** Announces whose answers did not all come back within the timeout. */
  timeouts: number;
  /** Sockets that failed or closed unexpectedly. */
  socketErrors: number;
}

const OFFERS = 5;
const ANSWER_TIMEOUT_MS = 2000;

/** A realistic browser SDP (~700 bytes). */
function sdp(type: "offer" | "answer", seed: number): string {
  return (
    `v=0\r\no=- ${
      4611731400430051336n + BigInt(seed)
    } 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n` +
    `a=group:BUNDLE 0\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS\r\n` +
    `m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n` +
    `a=ice-ufrag:${
      (seed % 9999).toString().padStart(4, "0")
    }\r\na=ice-pwd:aGVsbG8gd29ybGQgdGhpcyBpcyBhIHB3ZA\r\n` +
    `a=ice-options:trickle\r\na=fingerprint:sha-256 ${"AB:".repeat(31)}CD\r\n` +
    `a=setup:${
      type === "offer" ? "actpass" : "active"
    }\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n` +
    `a=candidate:1 1 udp 2113937151 127.0.0.1 ${
      50000 + (seed % 10000)
    } typ host generation 0 network-cost 999\r\n`
  );
}

/** A random 20-character binary id. */
function binaryId(): string {
  return String.fromCharCode(...crypto.getRandomValues(new Uint8Array(20)));
}

interface Peer {
  socket: WebSocket;
  peerId: string;
  infoHash: string;
  sentAt: number;
  waiting: number;
  timer?: ReturnType<typeof setTimeout>;
  left: boolean;
}

/** Open a socket; resolves when open (rejects on failure). */
function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.onopen = () => resolve(socket);
    socket.onerror = () => reject(new Error(`Cannot connect to ${url}`));
  });
}

/** Run the load and report what it measured. */
export async function runSignalingLoad(
  options: LoadOptions,
): Promise<LoadResult> {
  const hashes = Array.from({ length: options.swarms }, binaryId);
  const answer = JSON.stringify(sdp("answer", 7));
  const result: LoadResult = {
    exchanges: 0,
    seconds: 0,
    roundTrips: [],
    timeouts: 0,
    socketErrors: 0,
  };
  let measuring = false;
  let running = true;
  const peers = new Set<Peer>();

  const announce = (peer: Peer) => {
    if (!running || peer.left) return;
    const offers = [];
    for (let i = 0; i < OFFERS; i++) {
      offers.push({
        offer: { type: "offer", sdp: sdp("offer", i) },
        offer_id: binaryId(),
      });
    }
    peer.sentAt = performance.now();
    peer.waiting = -1; // known from the reply: min(offers, swarm size - 1)
    peer.socket.send(JSON.stringify({
      action: "announce",
      info_hash: peer.infoHash,
      peer_id: peer.peerId,
      numwant: OFFERS,
      uploaded: 0,
      downloaded: 0,
      offers,
    }));
    clearTimeout(peer.timer);
    peer.timer = setTimeout(() => {
      if (measuring) result.timeouts++;
      announce(peer);
    }, ANSWER_TIMEOUT_MS);
  };

  const onMessage = (peer: Peer, data: string) => {
    const message = JSON.parse(data);
    if (message.offer) {
      // Answer at once, like a browser whose peer connection is ready.
      peer.socket.send(
        `{"action":"announce","info_hash":${
          JSON.stringify(peer.infoHash)
        },"peer_id":${JSON.stringify(peer.peerId)},"to_peer_id":${
          JSON.stringify(message.peer_id)
        },"offer_id":${
          JSON.stringify(message.offer_id)
        },"answer":{"type":"answer","sdp":${answer}}}`,
      );
    } else if (message.answer) {
      if (measuring) {
        result.exchanges++;
        result.roundTrips.push(performance.now() - peer.sentAt);
      }
      if (--peer.waiting === 0) announce(peer);
    } else if (message.interval !== undefined && peer.waiting === -1) {
      const others = (message.complete ?? 0) + (message.incomplete ?? 0) - 1;
      peer.waiting = Math.min(OFFERS, Math.max(0, others));
      if (peer.waiting === 0) {
        clearTimeout(peer.timer);
        peer.timer = setTimeout(() => announce(peer), 200); // alone: look again shortly
      }
    }
  };

  const join = async (index: number): Promise<Peer> => {
    const urls = typeof options.url === "string" ? [options.url] : options.url;
    const socket = await open(urls[index % urls.length]!);
    const peer: Peer = {
      socket,
      peerId: binaryId(),
      infoHash: hashes[index % hashes.length]!,
      sentAt: 0,
      waiting: -1,
      left: false,
    };
    socket.onmessage = (event) => onMessage(peer, event.data as string);
    socket.onclose = () => {
      if (!peer.left && running) result.socketErrors++;
    };
    peers.add(peer);
    return peer;
  };

  const leave = (peer: Peer) => {
    peer.left = true;
    clearTimeout(peer.timer);
    peers.delete(peer);
    peer.socket.close();
  };

  // Join in batches, then start every peer's loop.
  const joined: Peer[] = [];
  for (let start = 0; start < options.peers; start += 250) {
    const batch = Array.from(
      { length: Math.min(250, options.peers - start) },
      (_, i) => join(start + i),
    );
    joined.push(...await Promise.all(batch));
  }
  for (const peer of joined) announce(peer);
  await new Promise((resolve) => setTimeout(resolve, 1000)); // warm up

  let churned = options.peers;
  const churn = options.churnPerSecond
    ? setInterval(async () => {
      const list = [...peers];
      const count = Math.max(1, Math.round(options.churnPerSecond! / 4));
      for (let i = 0; i < count && list.length > 0; i++) {
        leave(list[Math.floor(Math.random() * list.length)]!);
        try {
          announce(await join(churned++));
        } catch {
          result.socketErrors++; // the tracker refused or dropped a new connection
        }
      }
    }, 250)
    : undefined;

  await options.onWindow?.("start");
  measuring = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, options.durationMs));
  measuring = false;
  await options.onWindow?.("end");
  result.seconds = (performance.now() - started) / 1000;
  running = false;
  clearInterval(churn);
  for (const peer of [...peers]) leave(peer);
  return result;
}

/** Connect `count` idle peers (one announce each, no offers); resolves once all are answered. */
export async function connectIdlePeers(
  url: string,
  count: number,
  swarms: number,
): Promise<{ sockets: WebSocket[]; failed: number }> {
  const hashes = Array.from({ length: swarms }, binaryId);
  const sockets: WebSocket[] = [];
  let failed = 0;
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from(
      { length: Math.min(500, count - start) },
      async (_, i) => {
        try {
          const socket = await open(url);
          const replied = new Promise<void>((resolve) => {
            socket.onmessage = () => resolve();
          });
          socket.send(JSON.stringify({
            action: "announce",
            info_hash: hashes[(start + i) % swarms],
            peer_id: binaryId(),
            numwant: 0,
            uploaded: 0,
            downloaded: 0,
            offers: [],
          }));
          await replied;
          sockets.push(socket);
        } catch {
          failed++;
        }
      },
    );
    await Promise.all(batch);
  }
  return { sockets, failed };
}

/**
 * Offer→answer round trips with no other load: a peer on `answererUrl`
 * answers at once, a peer on `offererUrl` (the same tracker, or another
 * instance of a cluster) sends one offer at a time, `count` times.
 */
export async function measureRoundTrips(
  offererUrl: string,
  answererUrl: string,
  count: number,
): Promise<number[]> {
  const infoHash = binaryId();
  const answererId = binaryId();
  const offererId = binaryId();
  const [answerer, offerer] = await Promise.all([
    open(answererUrl),
    open(offererUrl),
  ]);
  const announce = (peerId: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      action: "announce",
      info_hash: infoHash,
      peer_id: peerId,
      numwant: 1,
      uploaded: 0,
      downloaded: 0,
      offers: [],
      ...extra,
    });
  try {
    const joined = new Promise((resolve) => (answerer.onmessage = resolve));
    answerer.send(announce(answererId));
    await joined;
    await new Promise((resolve) => setTimeout(resolve, 200)); // visible cluster-wide
    answerer.onmessage = (event) => {
      const message = JSON.parse(event.data as string);
      if (!message.offer) return;
      answerer.send(announce(answererId, {
        to_peer_id: message.peer_id,
        offer_id: message.offer_id,
        answer: { type: "answer", sdp: sdp("answer", 1) },
      }));
    };
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const answered = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("No answer")), 2000);
        offerer.onmessage = (event) => {
          if (!JSON.parse(event.data as string).answer) return;
          clearTimeout(timer);
          resolve();
        };
      });
      const start = performance.now();
      offerer.send(announce(offererId, {
        offers: [{
          offer: { type: "offer", sdp: sdp("offer", i) },
          offer_id: binaryId(),
        }],
      }));
      await answered;
      times.push(performance.now() - start);
    }
    return times;
  } finally {
    answerer.close();
    offerer.close();
  }
}

/** The q-quantile of `values` (0..1). */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
