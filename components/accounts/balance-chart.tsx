import type { Currency } from "@/lib/domain/shared/currency";
import { formatDate, type Formatting } from "@/lib/domain/shared/format";
import { formatMoney as formatIn } from "@/lib/domain/shared/money";

const WIDTH = 640;
const HEIGHT = 180;
const PAD = 8;

/**
 * The balance after each posted movement, drawn as a step line in plain SVG (no chart library, no
 * script). Coordinates are scaled from bigint with integer maths, then turned into numbers for SVG.
 */
export function BalanceChart({
  points,
  currency,
  formatting,
}: {
  points: { at: string; balance: string }[];
  currency: Currency;
  formatting: Formatting;
}) {
  const formatMoney = (amount: bigint, of: Currency) => formatIn(amount, of, formatting.locale);
  if (points.length < 2) return <p className="muted">The chart appears after a few movements.</p>;
  const balances = points.map((point) => BigInt(point.balance));
  const times = points.map((point) => Date.parse(point.at));
  const max = balances.reduce((a, b) => (b > a ? b : a), 0n);
  const min = balances.reduce((a, b) => (b < a ? b : a), 0n);
  const span = max - min || 1n;
  const t0 = times[0]!;
  const tSpan = Math.max(times.at(-1)! - t0, 1);
  const x = (i: number) => PAD + ((times[i]! - t0) / tSpan) * (WIDTH - 2 * PAD);
  // Scale in bigint to a 0..10,000 integer range first, so huge balances lose no ordering.
  const y = (value: bigint) => PAD + (1 - Number(((value - min) * 10_000n) / span) / 10_000) * (HEIGHT - 2 * PAD);
  let path = `M ${x(0).toFixed(1)} ${y(balances[0]!).toFixed(1)}`;
  for (let i = 1; i < balances.length; i++) path += ` H ${x(i).toFixed(1)} V ${y(balances[i]!).toFixed(1)}`;
  const last = balances.at(-1)!;
  const description = `Balance over ${points.length} movements, from ${formatMoney(balances[0]!, currency)} to ${formatMoney(last, currency)}; highest ${formatMoney(max, currency)}.`;
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="chart-title chart-desc" preserveAspectRatio="none">
        <title id="chart-title">Balance over time</title>
        <desc id="chart-desc">{description}</desc>
        <path d={`${path} V ${HEIGHT - PAD} H ${PAD} Z`} className="chart-area" />
        <path d={path} className="chart-line" />
      </svg>
      <figcaption className="muted">
        {formatDate(points[0]!.at, formatting)} – {formatDate(points.at(-1)!.at, formatting)}: highest {formatMoney(max, currency)}, now{" "}
        {formatMoney(last, currency)}
      </figcaption>
    </figure>
  );
}
