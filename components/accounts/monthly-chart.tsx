import type { Currency } from "@/lib/domain/shared/currency";
import type { Formatting } from "@/lib/domain/shared/format";
import { formatMoney } from "@/lib/domain/shared/money";

const WIDTH = 640;
const HEIGHT = 200;
const AXIS = 24;
const PAD = 8;

export type MonthBar = { key: string; label: string; shortLabel: string; moneyIn: string; moneyOut: string };

/**
 * Money in and out per month as paired bars in plain SVG, with the same figures in a table below
 * it (the table is the accessible reading; the drawing is labelled as a whole and hidden from
 * screen readers' bar-by-bar reading). Heights are scaled in bigint, then drawn as numbers.
 */
export function MonthlyChart({ months, currency, formatting }: { months: MonthBar[]; currency: Currency; formatting: Formatting }) {
  if (months.length === 0) return <p className="muted">No months to show yet.</p>;
  const money = (amount: string) => formatMoney(BigInt(amount), currency, formatting.locale);
  const max = months.reduce((m, month) => {
    const inn = BigInt(month.moneyIn);
    const out = BigInt(month.moneyOut);
    const bigger = inn > out ? inn : out;
    return bigger > m ? bigger : m;
  }, 0n);
  const slot = (WIDTH - 2 * PAD) / months.length;
  const bar = Math.max(Math.min(slot / 2 - 4, 28), 2);
  const plot = HEIGHT - AXIS - PAD;
  const height = (amount: string) => (max === 0n ? 0 : (Number((BigInt(amount) * 10_000n) / max) / 10_000) * plot);
  const totalIn = months.reduce((sum, month) => sum + BigInt(month.moneyIn), 0n);
  const totalOut = months.reduce((sum, month) => sum + BigInt(month.moneyOut), 0n);
  const summary = `Money in and out over ${months.length} months: ${formatMoney(totalIn, currency, formatting.locale)} in, ${formatMoney(totalOut, currency, formatting.locale)} out. The table below lists each month.`;
  return (
    <figure className="chart monthly-chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="monthly-title monthly-desc">
        <title id="monthly-title">Money in and out per month</title>
        <desc id="monthly-desc">{summary}</desc>
        <line x1={PAD} x2={WIDTH - PAD} y1={PAD + plot} y2={PAD + plot} className="chart-axis" />
        {months.map((month, i) => {
          const x = PAD + i * slot + slot / 2;
          const hIn = height(month.moneyIn);
          const hOut = height(month.moneyOut);
          return (
            <g key={month.key}>
              <rect x={x - bar - 1} y={PAD + plot - hIn} width={bar} height={hIn} className="bar-in" />
              <rect x={x + 1} y={PAD + plot - hOut} width={bar} height={hOut} className="bar-out" />
              <text x={x} y={HEIGHT - 6} textAnchor="middle" className="chart-label">
                {month.shortLabel}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="chart-legend">
        <span className="legend-in">Money in</span> <span className="legend-out">Money out</span>
      </figcaption>
      <div className="table-wrap" role="region" aria-label="Money in and out per month, as a table" tabIndex={0}>
        <table data-testid="monthly-table">
          <caption className="visually-hidden">Money in and out per month</caption>
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col" className="num">
                Money in
              </th>
              <th scope="col" className="num">
                Money out
              </th>
            </tr>
          </thead>
          <tbody>
            {months.map((month) => (
              <tr key={month.key}>
                <th scope="row">{month.label}</th>
                <td className="num">{money(month.moneyIn)}</td>
                <td className="num">{money(month.moneyOut)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
