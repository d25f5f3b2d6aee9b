/**
 * A real WebSocket client for tracker tests: queues incoming JSON frames so
 * a test can await the next one (with a timeout) or prove none came.
 * @module
 */

/** A parsed frame from the tracker. */
export type Frame = Record<string, unknown>;

/** A WebSocket client that buffers what it receives. */
export class TestSocket {
  readonly #socket: WebSocket;
  readonly #frames: Frame[] = [];
  #waiters: Array<() => void> = [];
  /** Resolves with the close event. */
  readonly closed: Promise<CloseEvent>;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => {
      this.#frames.push(JSON.parse(event.data as string));
      for (const wake of this.#waiters.splice(0)) wake();
    };
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", (event) => {
        resolve(event);
        for (const wake of this.#waiters.splice(0)) wake();
      });
    });
  }

  /** Open a socket to `url`; rejects if the server refuses. */
  static open(
    url: string,
    headers?: Record<string, string>,
  ): Promise<TestSocket> {
    // Deno accepts `{ headers }` here; the DOM typings this project also loads do not know it.
    const options = (headers ? { headers } : undefined) as unknown as
      | string[]
      | undefined;
    const socket = new WebSocket(url, options);
    const client = new TestSocket(socket);
    return new Promise((resolve, reject) => {
      socket.onopen = () => resolve(client);
      socket.onerror = () => reject(new Error(`WebSocket to ${url} failed`));
    });
  }

  /** Whether the socket is open. */
  get open(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  /** Send an object as JSON, or a raw string / bytes as is. */
  send(message: Frame | string | Uint8Array): void {
    if (message instanceof Uint8Array || typeof message === "string") {
      this.#socket.send(message);
    } else this.#socket.send(JSON.stringify(message));
  }

  /** The next frame matching `predicate` (others stay queued). */
  async next(
    predicate: (frame: Frame) => boolean = () => true,
    timeoutMs = 3000,
  ): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (true) {
      const index = this.#frames.findIndex(predicate);
      if (index !== -1) return this.#frames.splice(index, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0 || this.#socket.readyState === WebSocket.CLOSED) {
        throw new Error(
          `No matching frame within ${timeoutMs} ms; queued: ${
            JSON.stringify(this.#frames).slice(0, 500)
          }`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  /** Wait `ms` and return every frame that arrived (and is still queued). */
  async drain(ms = 150): Promise<Frame[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.#frames.splice(0);
  }

  /** Close the socket and wait until it is closed. */
  async close(): Promise<void> {
    if (this.#socket.readyState !== WebSocket.CLOSED) this.#socket.close();
    await this.closed;
  }
}

/** A 20-character binary id from a readable prefix, e.g. `id20("-PM0203-a")`. */
export function id20(prefix: string): string {
  return (prefix + "\u00e9".repeat(20)).slice(0, 20);
}

/** A realistic browser SDP of about `size` characters. */
export function fakeSdp(type: "offer" | "answer", size = 700): string {
  const head =
    `v=0\r\no=- ${
      Math.floor(Math.random() * 1e15)
    } 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n` +
    `m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=setup:${
      type === "offer" ? "actpass" : "active"
    }\r\na=mid:0\r\na=sctp-port:5000\r\n`;
  return (head + "a=ice-ufrag:" +
    "x".repeat(Math.max(0, size - head.length - 14))).slice(0, size) + "\r\n";
}
