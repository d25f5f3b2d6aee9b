/**
 * The lab's network profiles (`deno task swarm --network <name>`): what
 * each viewer's access link looks like. Numbers are per viewer; a round
 * trip is split evenly between the two directions.
 * @module
 */
import type { LinkShape } from "./link.ts";

/** One viewer's access: downlink and uplink. */
export interface Access {
  /** What kind of line, for the report (`fiber`, `4g`…). */
  kind: string;
  /** Towards the viewer. */
  down: LinkShape;
  /** From the viewer. */
  up: LinkShape;
}

/** A named profile: the access of the viewer at each index. */
export interface NetworkProfile {
  /** `fiber`, `mixed`, `constrained`, `loopback`. */
  name: string;
  /** One line for the report. */
  description: string;
  /** The access of viewer `index`, or `undefined` for raw loopback (no lab network). */
  access(index: number): Access | undefined;
  /** The region of viewer `index`, for profiles with several regions. */
  region?(index: number): number;
  /** One-way delay between regions (ms), for profiles with several regions. */
  interRegionDelayMs?: number;
}

interface Line {
  kind: string;
  downMbps: number;
  upMbps: number;
  rttMs: number;
  jitterMs?: number;
  loss?: number;
  /** The line stops this long (s) once every `dipEveryS`. */
  dipS?: number;
  /** How often it stops (s). */
  dipEveryS?: number;
}

/**
 * Build both directions of a line; a line with dips stops first
 * `dipPhaseS` seconds after the lab started.
 */
export function accessOf(line: Line, dipPhaseS = 0): Access {
  const oneWay = line.rttMs / 2;
  const jitter = (line.jitterMs ?? 0) / 2;
  const direction = (mbps: number): LinkShape => ({
    rateBps: mbps * 1e6,
    delayMs: oneWay,
    jitterMs: jitter,
    loss: line.loss ?? 0,
    ...(line.dipS
      ? {
        dipMs: line.dipS * 1000,
        dipEveryMs: (line.dipEveryS ?? Infinity) * 1000,
        dipPhaseMs: dipPhaseS * 1000,
      }
      : {}),
  });
  return {
    kind: line.kind,
    down: direction(line.downMbps),
    up: direction(line.upMbps),
  };
}

/** Brazilian home fiber. */
export const FIBER: Line = {
  kind: "fiber",
  downMbps: 50,
  upMbps: 10,
  rttMs: 20,
};

/** 4G: RTT 60 ± 20 ms, 1 % loss. */
export const MOBILE_4G: Line = {
  kind: "4g",
  downMbps: 12,
  upMbps: 2,
  rttMs: 60,
  jitterMs: 20,
  loss: 0.01,
};

/** 4G that stops for 4 s every 30 s: a tunnel, a crowded cell, a handover gone wrong. */
export const MOBILE_4G_DIPS: Line = {
  ...MOBILE_4G,
  dipS: 4,
  dipEveryS: 30,
};

/** A poor line: 6 / 1 Mbit/s, RTT 120 ms, 2 % loss. */
export const CONSTRAINED: Line = {
  kind: "poor",
  downMbps: 6,
  upMbps: 1,
  rttMs: 120,
  loss: 0.02,
};

/** A line inside one region of the `regions` profile: RTT 10 ms to the relay. */
export const REGIONAL_FIBER: Line = {
  kind: "fiber",
  downMbps: 50,
  upMbps: 10,
  rttMs: 10,
};

/** Regions of the `regions` profile. */
export const REGIONS = 3;

/** Every profile, by name. */
export const PROFILES: Record<string, NetworkProfile> = {
  loopback: {
    name: "loopback",
    description: "no lab network: loopback, direct peer connections",
    access: () => undefined,
  },
  fiber: {
    name: "fiber",
    description: "every viewer on fiber: down 50, up 10 Mbit/s, RTT 20 ms",
    access: () => accessOf(FIBER),
  },
  mixed: {
    name: "mixed",
    description:
      "half fiber (50/10 Mbit/s, 20 ms), half 4G (12/2 Mbit/s, RTT 60 ± 20 ms, 1 % loss)",
    access: (index) => accessOf(index % 2 === 0 ? FIBER : MOBILE_4G),
  },
  dips: {
    name: "dips",
    description:
      "mixed, and each 4G line stops for 4 s every 30 s (viewers' dips 7 s apart)",
    access: (index) =>
      index % 2 === 0
        ? accessOf(FIBER)
        : accessOf(MOBILE_4G_DIPS, 10 + (index * 7) % 30),
  },
  regions: {
    name: "regions",
    description:
      "three regions of fiber viewers (50/10 Mbit/s): RTT 10 ms to the relay, 110 ms more between regions",
    access: () => accessOf(REGIONAL_FIBER),
    region: (index) => index % REGIONS,
    interRegionDelayMs: 55,
  },
  constrained: {
    name: "constrained",
    description:
      "every viewer on a poor line: down 6, up 1 Mbit/s, RTT 120 ms, 2 % loss",
    access: () => accessOf(CONSTRAINED),
  },
};

/** The profile called `name`, or an error listing the names. */
export function profileNamed(name: string): NetworkProfile {
  const profile = PROFILES[name];
  if (!profile) {
    throw new RangeError(
      `Unknown network profile "${name}" (one of: ${
        Object.keys(PROFILES).join(", ")
      })`,
    );
  }
  return profile;
}

/**
 * `profile` with every line's rate times `scale` (delays, jitter and loss
 * unchanged), to go with a ladder scaled the same way.
 */
export function scaledProfile(
  profile: NetworkProfile,
  scale: number,
): NetworkProfile {
  if (scale === 1) return profile;
  const scaleShape = (shape: Access["down"]) => ({
    ...shape,
    rateBps: shape.rateBps * scale,
  });
  return {
    ...profile,
    description: `${profile.description}; rates ×${scale}`,
    access(index) {
      const access = profile.access(index);
      return access && {
        ...access,
        down: scaleShape(access.down),
        up: scaleShape(access.up),
      };
    },
  };
}
