/**
 * Island props cross from the server to the browser as JSON. Signals are
 * sent by value and revived as signals, so an island can share reactive
 * state with the components it renders. The format is
 * `{ "v": <props as JSON>, "s": [<path to each signal>] }`: the paths live
 * beside the value, so no key of the props is reserved.
 * @module
 */
import { type Signal, signal } from "@preact/signals";

/** A path into a JSON value: object keys and array indexes. */
export type JsonPath = (string | number)[];

/** The wire form of an island's props. */
export interface SerializedProps {
  /** The props, with each signal replaced by its value. */
  v: unknown;
  /** Where the signals were. */
  s: JsonPath[];
}

function isSignal(value: object): value is Signal<unknown> {
  // Duck-typed: the server and a bundle may hold different copies of the class.
  return "peek" in value && "subscribe" in value && "value" in value &&
    typeof (value as { peek: unknown }).peek === "function";
}

function describe(path: JsonPath): string {
  return path.length === 0 ? "props" : `props.${path.join(".")}`;
}

function toJson(value: unknown, path: JsonPath, signals: JsonPath[]): unknown {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) {
        throw new TypeError(
          `Cannot serialize ${describe(path)}: ${value} is not finite`,
        );
      }
      return value;
    case "undefined":
      return undefined;
    case "object": {
      if (value === null) return null;
      if (isSignal(value)) {
        signals.push(path);
        return toJson(value.peek(), path, signals);
      }
      if (Array.isArray(value)) {
        return value.map((item, i) =>
          toJson(item, [...path, i], signals) ?? null
        );
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(
          `Cannot serialize ${describe(path)}: ${
            proto?.constructor?.name ?? "object"
          } is not a plain object`,
        );
      }
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const json = toJson(item, [...path, key], signals);
        if (json !== undefined) out[key] = json;
      }
      return out;
    }
    default:
      throw new TypeError(
        `Cannot serialize ${describe(path)}: a ${typeof value} is not data`,
      );
  }
}

/**
 * Serialize island props to a string that is safe inside `<script>`.
 *
 * @example
 * ```ts
 * serializeProps({ count: signal(1) }); // '{"v":{"count":1},"s":[["count"]]}'
 * ```
 */
export function serializeProps(props: Record<string, unknown>): string {
  const signals: JsonPath[] = [];
  const v = toJson(props, [], signals);
  // `<` is escaped so `</script>` or `<!--` in a prop cannot end the script.
  return JSON.stringify({ v, s: signals }).replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Revive props serialized by {@linkcode serializeProps}, signals included. */
export function reviveProps(
  serialized: SerializedProps,
): Record<string, unknown> {
  const root = { props: serialized.v };
  // Innermost first: a signal whose value holds signals is wrapped last.
  for (let i = serialized.s.length - 1; i >= 0; i--) {
    const path = serialized.s[i]!;
    let parent: Record<string | number, unknown> = root;
    let key: string | number = "props";
    for (const step of path) {
      parent = parent[key] as Record<string | number, unknown>;
      key = step;
    }
    parent[key] = signal(parent[key]);
  }
  return root.props as Record<string, unknown>;
}
