/**
 * The operator's locality table (`PEER_LOCALITY_FILE`): CSV lines
 * `cidr,network,region` (e.g. built from public IP-to-ASN data), read once
 * at start. The most specific range holding an address wins. Bad lines are
 * reported with `file:line` and skipped; a lookup costs one map probe per
 * distinct prefix length in the table.
 * @module
 */
import { type IpBytes, maskIp, parseCidr } from "../utils/ip.ts";

/** What the table says about an address. */
export interface LocalityEntry {
  /** The network it belongs to (e.g. an ASN), if given. */
  network?: string;
  /** Its region, if given. */
  region?: string;
}

/** A line of the file that was skipped, and why. */
export interface LocalityProblem {
  /** `file:line`. */
  where: string;
  /** What is wrong with it. */
  message: string;
}

/** Longest network or region name. */
const MAX_NAME_LENGTH = 64;
/** Most ranges read from one file: a whole IP-to-ASN dump fits. */
export const MAX_LOCALITY_RANGES = 2_000_000;

const NAME = /^[\p{L}\p{N} ._:+\/-]*$/u;

/** One address family's ranges, by prefix length, longest first. */
class Family {
  /** Prefix lengths present, longest first. */
  lengths: number[] = [];
  #byLength = new Map<number, Map<number | string, LocalityEntry>>();

  add(bytes: IpBytes, prefix: number, entry: LocalityEntry): boolean {
    let ranges = this.#byLength.get(prefix);
    if (!ranges) {
      ranges = new Map();
      this.#byLength.set(prefix, ranges);
      this.lengths.push(prefix);
      this.lengths.sort((a, b) => b - a);
    }
    const key = keyOf(bytes);
    if (ranges.has(key)) return false;
    ranges.set(key, entry);
    return true;
  }

  lookup(bytes: IpBytes): LocalityEntry | undefined {
    for (const length of this.lengths) {
      const entry = this.#byLength.get(length)!.get(
        keyOf(maskIp(bytes, length)),
      );
      if (entry) return entry;
    }
    return undefined;
  }
}

/** A number for IPv4 (fast map keys), hex for IPv6. */
function keyOf(bytes: IpBytes): number | string {
  if (bytes.length === 4) {
    return ((bytes[0]! << 24) >>> 0) + (bytes[1]! << 16) + (bytes[2]! << 8) +
      bytes[3]!;
  }
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/** A parsed locality table. */
export class LocalityTable {
  /** Ranges held. */
  readonly size: number;
  /** Lines skipped, with where and why. */
  readonly problems: readonly LocalityProblem[];
  #v4: Family;
  #v6: Family;

  private constructor(
    v4: Family,
    v6: Family,
    size: number,
    problems: LocalityProblem[],
  ) {
    this.#v4 = v4;
    this.#v6 = v6;
    this.size = size;
    this.problems = problems;
  }

  /**
   * Read CSV `cidr,network,region` lines (`#` comments, blank lines and a
   * `cidr,…` header allowed; network or region may be empty, not both).
   * Bad lines go to {@linkcode LocalityTable.problems}, named `file:line`.
   *
   * @example
   * ```ts
   * const table = LocalityTable.parse("200.160.0.0/20,AS22548,BR-SP\n", "asn.csv");
   * table.lookup(parseIp("200.160.1.2")!); // { network: "AS22548", region: "BR-SP" }
   * ```
   */
  static parse(text: string, file: string): LocalityTable {
    const v4 = new Family();
    const v6 = new Family();
    const problems: LocalityProblem[] = [];
    const names = new Map<string, string>(); // one string per distinct name
    const intern = (name: string) => {
      const known = names.get(name);
      if (known !== undefined) return known;
      names.set(name, name);
      return name;
    };
    let size = 0;
    const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (!line || line.startsWith("#") || /^cidr\s*,/i.test(line)) continue;
      const where = `${file}:${i + 1}`;
      const fields = line.split(",").map((field) => field.trim());
      if (fields.length !== 3) {
        problems.push({
          where,
          message:
            `expected 3 fields (cidr,network,region), got ${fields.length}`,
        });
        continue;
      }
      const [cidrText, network, region] = fields as [string, string, string];
      const bad = [network, region].find((name) =>
        name.length > MAX_NAME_LENGTH || !NAME.test(name)
      );
      if (bad !== undefined) {
        problems.push({
          where,
          message: `invalid name "${
            bad.slice(0, MAX_NAME_LENGTH)
          }": at most ${MAX_NAME_LENGTH} letters, digits and . _ : + / -`,
        });
        continue;
      }
      if (!network && !region) {
        problems.push({ where, message: "neither a network nor a region" });
        continue;
      }
      let cidr;
      try {
        cidr = parseCidr(cidrText);
      } catch (error) {
        problems.push({ where, message: (error as Error).message });
        continue;
      }
      if (size >= MAX_LOCALITY_RANGES) {
        problems.push({
          where,
          message:
            `more than ${MAX_LOCALITY_RANGES} ranges; the rest is ignored`,
        });
        break;
      }
      const entry: LocalityEntry = {};
      if (network) entry.network = intern(network);
      if (region) entry.region = intern(region);
      const family = cidr.bytes.length === 4 ? v4 : v6;
      if (!family.add(cidr.bytes, cidr.prefix, entry)) {
        problems.push({ where, message: `${cidrText} is listed twice` });
        continue;
      }
      size++;
    }
    return new LocalityTable(v4, v6, size, problems);
  }

  /** The most specific range holding `address`, if any. */
  lookup(address: IpBytes): LocalityEntry | undefined {
    return (address.length === 4 ? this.#v4 : this.#v6).lookup(address);
  }
}
