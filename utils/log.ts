/**
 * Structured logging: one JSON object per line, at the level set by the
 * `LOG_LEVEL` environment variable (`debug`, `info`, `warn`, `error`;
 * default `info`).
 * @module
 */

/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVELS: Record<LogLevel, number> = {
  debug: 10,
  info: 20,
  warn: 30,
  error: 40,
};

/** Whether a string names a log level. */
export function isLogLevel(value: string): value is LogLevel {
  return Object.hasOwn(LEVELS, value);
}

function levelFromEnv(): LogLevel {
  let value: string | undefined;
  try {
    value = Deno.env.get("LOG_LEVEL")?.toLowerCase();
  } catch {
    return "info"; // no env permission
  }
  return value && isLogLevel(value) ? value : "info";
}

/** A logger writing JSON lines to stderr. */
export class Logger {
  #threshold: number;

  /** Log at `level` and above. */
  constructor(level: LogLevel = levelFromEnv()) {
    this.#threshold = LEVELS[level];
  }

  /** Change the level at run time. */
  setLevel(level: LogLevel): void {
    this.#threshold = LEVELS[level];
  }

  /** Whether a message at `level` would be written (check before costly fields). */
  enabled(level: LogLevel): boolean {
    return LEVELS[level] >= this.#threshold;
  }

  #write(
    level: LogLevel,
    event: string,
    fields?: Record<string, unknown>,
  ): void {
    if (LEVELS[level] < this.#threshold) return;
    const line = JSON.stringify({
      time: new Date().toISOString(),
      level,
      event,
      ...fields,
    });
    console.error(line);
  }

  /** Detail for debugging, e.g. one line per relayed message. */
  debug(event: string, fields?: Record<string, unknown>): void {
    this.#write("debug", event, fields);
  }
  /** Life-cycle events: server started, swarm created. */
  info(event: string, fields?: Record<string, unknown>): void {
    this.#write("info", event, fields);
  }
  /** Something was wrong but handled: a bad catalog entry. */
  warn(event: string, fields?: Record<string, unknown>): void {
    this.#write("warn", event, fields);
  }
  /** A failure that lost work: a request that threw. */
  error(event: string, fields?: Record<string, unknown>): void {
    this.#write("error", event, fields);
  }
}

/** The process-wide logger. */
export const log: Logger = new Logger();
