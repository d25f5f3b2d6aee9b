/**
 * Bigger kernel receive buffers for the lab's UDP sockets. A browser's SCTP
 * sends a congestion window in one burst; a socket with Linux's default
 * 208 KiB buffer holds ~90 such datagrams and drops the rest before the
 * event loop reads them, which the lab would report as a lossy network.
 * Deno's sockets take no buffer size (`node:dgram` accepts `recvBufferSize`
 * but does not apply it, as of Deno 2.9), so the lab finds the socket's
 * descriptor through `/proc` and calls `setsockopt(SO_RCVBUF)` through FFI.
 * Linux only, as the lab is.
 * @module
 */

const SOL_SOCKET = 1;
const SO_RCVBUF = 8;

let libc:
  | Deno.DynamicLibrary<{
    setsockopt: {
      parameters: ["i32", "i32", "i32", "buffer", "u32"];
      result: "i32";
    };
  }>
  | undefined;

/** The descriptor of this process's UDP socket bound to `port`, if any. */
function udpDescriptor(port: number): number | undefined {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  const inode = Deno.readTextFileSync("/proc/self/net/udp")
    .split("\n")
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[1]?.endsWith(hexPort))?.[9];
  if (!inode) return undefined;
  for (const entry of Deno.readDirSync("/proc/self/fd")) {
    try {
      const target = Deno.readLinkSync(`/proc/self/fd/${entry.name}`);
      if (target === `socket:[${inode}]`) return Number(entry.name);
    } catch {
      // The descriptor closed while we looked.
    }
  }
  return undefined;
}

/**
 * Ask the kernel for a `bytes` receive buffer on this process's UDP socket
 * bound to `port` (capped by `net.core.rmem_max`). Throws if the socket is
 * not found or the kernel refuses.
 */
export function enlargeReceiveBuffer(port: number, bytes: number): void {
  const fd = udpDescriptor(port);
  if (fd === undefined) {
    throw new Error(`No UDP socket of this process is bound to port ${port}`);
  }
  libc ??= Deno.dlopen("libc.so.6", {
    setsockopt: {
      parameters: ["i32", "i32", "i32", "buffer", "u32"],
      result: "i32",
    },
  });
  const value = new Uint8Array(new Int32Array([bytes]).buffer);
  if (libc.symbols.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, value, 4) !== 0) {
    throw new Error(`setsockopt(SO_RCVBUF) failed on UDP port ${port}`);
  }
}
