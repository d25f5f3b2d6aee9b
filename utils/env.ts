/**
 * Reading settings from the environment: one parser per kind of value, each
 * failing at start with a message that names the variable and the value.
 * @module
 */

/** Reads one environment variable (injectable for tests). */
export type EnvReader = (name: string) => string | undefined;

/** Options of {@linkcode envInteger}. */
export interface EnvIntegerOptions {
  /** The value when the variable is unset or empty. */
  fallback: number;
  /** Smallest allowed value (1 by default). */
  min?: number;
  /** Largest allowed value. */
  max?: number;
}

/**
 * A whole number from the environment.
 *
 * @throws {RangeError} naming the variable when the value is not a whole
 * number in range.
 * @example
 * ```ts
 * envInteger(() => "30", "TRACKER_PEER_TIMEOUT", { fallback: 60 }); // 30
 * ```
 */
export function envInteger(
  env: EnvReader,
  name: string,
  options: EnvIntegerOptions,
): number {
  const raw = env(name);
  if (raw === undefined || raw.trim() === "") return options.fallback;
  const min = options.min ?? 1;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = options.max === undefined
      ? min === 1 ? "a positive whole number" : `a whole number from ${min}`
      : `a whole number from ${min} to ${max}`;
    throw new RangeError(`Invalid ${name}: expected ${range}, got "${raw}"`);
  }
  return value;
}

/**
 * A yes/no setting: `true`/`1` or `false`/`0` (empty or unset: `fallback`).
 *
 * @throws {TypeError} naming the variable for anything else.
 */
export function envBoolean(
  env: EnvReader,
  name: string,
  fallback: boolean,
): boolean {
  const raw = env(name)?.trim().toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (raw === "true" || raw === "1") return true;
  if (raw === "false" || raw === "0") return false;
  throw new TypeError(`Invalid ${name}: expected true or false, got "${raw}"`);
}
