/**
 * Nearby peers first, the rule the tracker and the player share: the
 * tracker sends a peer's offers to near peers first (tracker/locality.ts),
 * and a player with enough near links lets go of far ones
 * (player/near_first.ts). Both switch on and off with `LOCALITY`.
 * @module
 */
import { envBoolean, type EnvReader } from "../utils/env.ts";

/**
 * Near peers a viewer needs before it stops reaching far ones: the
 * tracker's re-announces of such a peer go to near peers only, and its
 * player closes its links to far peers. A viewer with nobody near keeps
 * far peers: it needs sources. One is enough: with two, a viewer's first
 * near neighbour (often the one holding what it needs) left its far links
 * in use, and 29–35 % of P2P bytes crossed regions in the lab's `regions`;
 * with one, 21 % (docs/performance.md).
 */
export const NEAR_ENOUGH = 1;

/**
 * `LOCALITY`: `on` (the default) or `off`, or any boolean spelling.
 *
 * @throws {TypeError} naming the variable for another value.
 * @example
 * ```ts
 * localityEnabled(() => "off"); // false
 * localityEnabled(() => undefined); // true
 * ```
 */
export function localityEnabled(env: EnvReader): boolean {
  const raw = env("LOCALITY")?.trim().toLowerCase();
  if (raw === "off") return false;
  if (raw === undefined || raw === "" || raw === "on") return true;
  try {
    return envBoolean(env, "LOCALITY", true);
  } catch {
    throw new TypeError(`Invalid LOCALITY: expected on or off, got "${raw}"`);
  }
}
