/**
 * The Redis backend's wire formats: its Lua scripts, how a member and its
 * details are written, and how what Redis returns is read back (checked:
 * another instance may run other code).
 * @module
 */
import {
  type InstanceSummary,
  type MemberRecord,
  parseSummary,
  type PeerRef,
} from "./backend.ts";
import { hexToBinary } from "../../utils/hex.ts";
import { farAllowance, nearLimit } from "../locality.ts";

/** Deletes a swarm's expired members from both keys; returns how many. */
export const SWEEP_SCRIPT = `
local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 1000)
if #old > 0 then
  redis.call('ZREM', KEYS[1], unpack(old))
  redis.call('HDEL', KEYS[2], unpack(old))
end
return #old`;

/**
 * An announce in one command: refresh the member (and its details when they
 * changed) in the swarm and in each of its locality sets, keep the keys
 * alive, draw random members of the swarm and of each locality set, count
 * the live ones.
 * KEYS: seen, info, then one locality set per key of the member (nearest
 * first). ARGV: lastSeen, member, details or "", ttl, cutoff, count, and
 * "1" when the member is listed in its locality sets (see `listedNear`).
 * Returns {count, swarm draw, draw of KEYS[3], draw of KEYS[4], …}.
 */
export const ANNOUNCE_SCRIPT = `
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
local count = tonumber(ARGV[6])
local reply = {redis.call('ZCOUNT', KEYS[1], ARGV[5], '+inf'), {}}
if count > 0 then reply[2] = redis.call('ZRANDMEMBER', KEYS[1], count, 'WITHSCORES') end
for i = 3, #KEYS do
  if ARGV[7] == '1' then
    redis.call('ZADD', KEYS[i], ARGV[1], ARGV[2])
    redis.call('PEXPIRE', KEYS[i], ARGV[4])
  end
  if count > 0 then
    reply[i] = redis.call('ZRANDMEMBER', KEYS[i], count, 'WITHSCORES')
  else
    reply[i] = {}
  end
end
return reply`;

/** Drops a locality set's members older than the cutoff. */
export const SWEEP_NEAR_SCRIPT = `
return redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])`;

/** A member drawn at random, with its last announce. */
export interface Drawn {
  value: string;
  score: number;
}

/** A member's details as stored: `"<joinedAt> <0|1>"`. */
export function details(member: MemberRecord): string {
  return `${member.joinedAt} ${member.complete ? 1 : 0}`;
}

/**
 * Up to `count` live members of those drawn, never `excluded`, never twice:
 * `nearQuota` of them from the locality draws first (nearest key first),
 * then what `farAllowance` leaves from the swarm's draw. When a set is smaller than the count
 * asked for, Redis returns it whole and in its own order: each draw is
 * shuffled here, or the same peers would always come first.
 */
export function choose(
  drawn: Drawn[],
  count: number,
  cutoff: number,
  excluded: string,
  near: {
    draws: Drawn[][];
    quota: number;
    /** The announcing peer's first in the swarm (the default). */
    firstAnnounce?: boolean;
    matched?: number[];
  } = { draws: [], quota: 0 },
): PeerRef[] {
  const taken = new Set<string>([excluded]);
  const result: PeerRef[] = [];
  const takeFrom = (draw: Drawn[], limit: number): number => {
    shuffle(draw);
    let took = 0;
    for (const { value, score } of draw) {
      if (took === limit || result.length === count) break;
      if (score < cutoff || taken.has(value)) continue;
      const ref = parseMember(value);
      if (!ref) continue;
      taken.add(value);
      result.push(ref);
      took++;
    }
    return took;
  };
  const nearWanted = Math.min(near.quota, count);
  let quota = nearLimit(count, nearWanted, near.firstAnnounce);
  near.draws.forEach((draw, level) => {
    const took = takeFrom(draw, quota);
    quota -= took;
    if (near.matched) near.matched[level] = took;
  });
  const nearTook = result.length;
  takeFrom(
    drawn,
    farAllowance(count, nearWanted, nearTook, near.firstAnnounce),
  );
  return result;
}

function shuffle(draw: Drawn[]): void {
  for (let i = draw.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [draw[i], draw[j]] = [draw[j]!, draw[i]!];
  }
}

/** `"<instance> <peer_id hex>"` → a peer reference. */
export function parseMember(value: string): PeerRef | undefined {
  const space = value.indexOf(" ");
  const hex = value.slice(space + 1);
  if (space <= 0 || !/^[0-9a-f]{40}$/.test(hex)) return undefined;
  return { instance: value.slice(0, space), peerId: hexToBinary(hex) };
}

/** An instance summary from JSON, if it is one. */
export function parseSummaryJson(json: string): InstanceSummary | undefined {
  try {
    return parseSummary(JSON.parse(json));
  } catch {
    return undefined;
  }
}
