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

/** A small line chart in SVG: one polyline per series, right-aligned. */
export function Sparkline(
  { series, max, slots, label, class: className }: SparklineProps,
) {
  const top = max ?? Math.max(1, ...series.flatMap((s) => s.values));
  const step = WIDTH / Math.max(1, slots - 1);
  const points = (values: readonly number[]) =>
    values.map((value, i) =>
      `${((slots - values.length + i) * step).toFixed(1)},${
        (HEIGHT - (value / top) * (HEIGHT - 2)).toFixed(1)
      }`
    ).join(" ");
  return (
    <svg
      class={className}
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
    </svg>
  );
}
