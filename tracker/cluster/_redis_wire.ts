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
 * changed), keep both keys alive, draw random members, count the live ones.
 * KEYS: seen, info. ARGV: lastSeen, member, details or "", ttl, cutoff, count.
 */
export const ANNOUNCE_SCRIPT = `
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[2], ARGV[2], ARGV[3]) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
local drawn = {}
local count = tonumber(ARGV[6])
if count > 0 then drawn = redis.call('ZRANDMEMBER', KEYS[1], count, 'WITHSCORES') end
return {redis.call('ZCOUNT', KEYS[1], ARGV[5], '+inf'), drawn}`;

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
 * Up to `count` live members of those drawn, never `excluded`. When the set
 * is smaller than the count asked for, Redis returns it whole and in its own
 * order: shuffled here, or the same peers would always come first.
 */
export function choose(
  drawn: Drawn[],
  count: number,
  cutoff: number,
  excluded: string,
): PeerRef[] {
  for (let i = drawn.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [drawn[i], drawn[j]] = [drawn[j]!, drawn[i]!];
  }
  const result: PeerRef[] = [];
  for (const { value, score } of drawn) {
    if (result.length === count) break;
    if (score < cutoff || value === excluded) continue;
    const ref = parseMember(value);
    if (ref) result.push(ref);
  }
  return result;
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
