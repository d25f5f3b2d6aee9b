/** Props of {@linkcode Sparkline}. */
export interface SparklineProps {
  /** Series to draw, each with a CSS class; values oldest first. */
  series: Array<{ className: string; values: readonly number[] }>;
  /** Top of the scale; the largest value when omitted. */
  max?: number;
  /** Slots on the x axis (the newest value sits at the right edge). */
  slots: number;
  /** Accessible description. */
  label: string;
  /** Class of the `<svg>`. */
  class?: string;
}

const WIDTH = 240;
const HEIGHT = 48;

/**
 * A small line chart in SVG: one polyline per series, right-aligned, with
 * the newest value as a dot (so a series of one point still shows).
 */
export function Sparkline(
  { series, max, slots, label, class: className }: SparklineProps,
) {
  const top = max ?? Math.max(1, ...series.flatMap((s) => s.values));
  const step = WIDTH / Math.max(1, slots - 1);
  const x = (i: number, length: number) => (slots - length + i) * step;
  const y = (value: number) => HEIGHT - (value / top) * (HEIGHT - 2);
  const points = (values: readonly number[]) =>
    values.map((value, i) =>
      `${x(i, values.length).toFixed(1)},${y(value).toFixed(1)}`
    ).join(" ");
  return (
    <svg
      class={`sparkline ${className ?? ""}`}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label={label}
    >
      {series.map((s) => (
        <polyline
          key={s.className}
          class={s.className}
          points={points(s.values)}
        />
      ))}
      {series.filter((s) => s.values.length > 0).map((s) => (
        <circle
          key={`${s.className}-last`}
          class={s.className}
          cx={x(s.values.length - 1, s.values.length)}
          cy={y(s.values.at(-1)!)}
          r="2.5"
        />
      ))}
    </svg>
  );
}
