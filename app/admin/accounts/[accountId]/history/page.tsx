import type { Metadata } from "next";
import Link from "next/link";

import { AccountFigures } from "@/components/admin/account-figures";
import { formatUtc, toDateTimeLocal } from "@/components/admin/format";
import { PositionSlider } from "@/components/admin/position-slider";
import { getAccountHistory, parseHistoryTarget } from "@/lib/dal/admin/history";
import { eventTypeLabel } from "@/lib/domain/event-types";
import { FREEZE_CATEGORY_LABELS } from "@/lib/errors/messages";

export const metadata: Metadata = { title: "Time travel" };

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

type Props = { params: Promise<{ accountId: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AccountHistoryPage({ params, searchParams }: Props) {
  const { accountId } = await params;
  const history = await getAccountHistory(accountId, parseHistoryTarget(await searchParams));
  const { account, target, state, event } = history;
  const position = Number(target.position);
  const version = Number(account.version);
  const base = `/admin/accounts/${account.id}/history`;
  return (
    <>
      <div className="page-head">
        <div>
          <p className="muted breadcrumb">
            <Link href={`/admin/accounts/${account.id}`}>{account.nickname ?? `${account.currency} account`}</Link> ›
          </p>
          <h1>Time travel</h1>
          <p className="muted">
            <span className="mono">{account.displayNumber}</span>: the account as it stood at any point, replayed from its {account.version} events.
          </p>
        </div>
      </div>

      <div className="two-col">
        <form className="card form" method="get" aria-labelledby="by-position-title">
          <h2 id="by-position-title">By position</h2>
          <PositionSlider max={version} value={position} />
          <button type="submit" className="button secondary">
            Show position
          </button>
        </form>
        <form className="card form" method="get" aria-labelledby="by-time-title">
          <h2 id="by-time-title">By date and time</h2>
          <div className="field">
            <label htmlFor="history-at">Date and time (UTC)</label>
            <input id="history-at" name="at" type="datetime-local" step={1} defaultValue={target.at ? toDateTimeLocal(target.at) : undefined} />
          </div>
          <button type="submit" className="button secondary">
            Show that moment
          </button>
        </form>
      </div>

      <section className="card" aria-labelledby="as-of-title" data-testid="history-state">
        <h2 id="as-of-title">
          {target.kind === "at" && target.at ? `As of ${formatUtc(target.at)}: position ${target.position}` : `As of position ${target.position}`}
        </h2>
        {event ? (
          <p className="muted">
            After {eventTypeLabel(event.type)} <span className="mono">({event.type})</span>, recorded {formatUtc(event.recordedAt)}.
          </p>
        ) : null}
        {state ? (
          <>
            <AccountFigures figures={state} currency={account.currency} testIdPrefix="history" />
            <p className="muted">
              {count(state.deposits, "deposit")} · {count(state.withdrawals, "withdrawal")} · {count(state.rejections, "refusal")} so far
              {state.status === "Frozen"
                ? ` · frozen (${FREEZE_CATEGORY_LABELS[state.freezeCategory ?? "other"] ?? state.freezeCategory}): ${state.freezeReason}`
                : ""}
            </p>
          </>
        ) : (
          <p data-testid="history-unopened">The account had not been opened yet.</p>
        )}
        <nav className="pager" aria-label="Step through positions">
          {position > 0 ? <Link href={`${base}?position=${position - 1}`}>‹ Position {position - 1}</Link> : null}
          {position < version ? <Link href={`${base}?position=${position + 1}`}>Position {position + 1} ›</Link> : null}
          {position !== version ? <Link href={base}>Now</Link> : null}
        </nav>
      </section>

      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">Positions around {target.position}</h2>
        <ol className="timeline card" aria-label="Account events">
          {history.timeline.map((entry) => {
            const current = entry.position === target.position;
            return (
              <li key={entry.position} className={current ? "current" : undefined}>
                <Link href={`${base}?position=${entry.position}`} aria-current={current ? "step" : undefined}>
                  <span className="mono">#{entry.position}</span> {eventTypeLabel(entry.eventType)}
                </Link>
                <span className="muted"> · {formatUtc(entry.recordedAt)}</span>
                {entry.summary ? <span className="reference">{entry.summary}</span> : null}
              </li>
            );
          })}
        </ol>
      </section>
    </>
  );
}
