/** What became of a command: its event is a fact of success or a refusal recorded as an event. */
export type Outcome = "accepted" | "rejected";

/** A statement line: money that moved, or an attempt that was refused (and moved nothing). */
export type EntryOutcome = "posted" | "rejected";
