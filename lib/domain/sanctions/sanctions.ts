import type { Decider, Message } from "../shared/decider";
import { assertNever, DomainError } from "../shared/errors";
import { compactSkeleton, nameSkeleton } from "./normalise";

/**
 * The sanctions list, kept by admins as events on one `sanctions` stream so every addition and
 * removal has a history (who, when, why).
 */
export type AddSanctionsEntry = Message<"AddSanctionsEntry", { entryId: string; name: string; reason: string }>;
export type RemoveSanctionsEntry = Message<"RemoveSanctionsEntry", { entryId: string; reason: string }>;
export type SanctionsCommand = AddSanctionsEntry | RemoveSanctionsEntry;

export type SanctionsEntryAdded = Message<"SanctionsEntryAdded", { entryId: string; name: string; reason: string }>;
export type SanctionsEntryRemoved = Message<"SanctionsEntryRemoved", { entryId: string; name: string; reason: string }>;
export type SanctionsEvent = SanctionsEntryAdded | SanctionsEntryRemoved;

export type SanctionsState = { readonly entries: Readonly<Record<string, string>> };

export const SANCTIONS_STREAM_ID = "sanctions";
export const SANCTIONS_STREAM_TYPE = "sanctions";

/** The comparable form of a name (see normalise.ts): "Café-Noir  Ltd." -> "cafe noir ltd", "Ιvаn" -> "ivan". */
export function normaliseName(text: string): string {
  return nameSkeleton(text);
}

// Separators inserted inside a name ("I.v.a.n") are caught on the compact form, for names long
// enough that a match inside other words would be a coincidence worth a review, not noise.
const COMPACT_MIN_LENGTH = 6;

/**
 * Entries whose whole words appear in the payee's name or the reference, compared by skeleton, or
 * whose compact skeleton appears in the texts' compact skeleton. A false match holds a transfer for
 * review; a missed one lets it through, so the comparison leans to matching.
 */
export function screen(texts: readonly (string | null)[], entries: readonly { name: string }[]): string[] {
  const present = texts.filter((text): text is string => Boolean(text));
  const haystack = ` ${present.map(nameSkeleton).join(" | ")} `;
  const compactHaystack = present.map(compactSkeleton).join("|");
  const matches = new Set<string>();
  for (const entry of entries) {
    const needle = nameSkeleton(entry.name);
    const compact = needle.replaceAll(" ", "");
    if (!needle) continue;
    if (haystack.includes(` ${needle} `) || (compact.length >= COMPACT_MIN_LENGTH && compactHaystack.includes(compact))) matches.add(entry.name);
  }
  return [...matches];
}

export function decideSanctions(command: SanctionsCommand, state: SanctionsState): SanctionsEvent[] {
  switch (command.type) {
    case "AddSanctionsEntry": {
      const normalised = normaliseName(command.data.name);
      if (Object.values(state.entries).some((name) => normaliseName(name) === normalised)) {
        throw new DomainError("SANCTIONS_ENTRY_EXISTS", `"${command.data.name}" is already on the list.`);
      }
      return [{ type: "SanctionsEntryAdded", data: { ...command.data } }];
    }
    case "RemoveSanctionsEntry": {
      const name = state.entries[command.data.entryId];
      if (name === undefined) throw new DomainError("SANCTIONS_ENTRY_NOT_FOUND", "That entry is not on the list.");
      return [{ type: "SanctionsEntryRemoved", data: { ...command.data, name } }];
    }
    default:
      return assertNever(command);
  }
}

export function evolveSanctions(state: SanctionsState, event: SanctionsEvent): SanctionsState {
  switch (event.type) {
    case "SanctionsEntryAdded":
      return { entries: { ...state.entries, [event.data.entryId]: event.data.name } };
    case "SanctionsEntryRemoved": {
      const { [event.data.entryId]: _removed, ...entries } = state.entries;
      return { entries };
    }
    default:
      return assertNever(event);
  }
}

export const sanctionsDecider: Decider<SanctionsCommand, SanctionsEvent, SanctionsState> = {
  decide: decideSanctions,
  evolve: evolveSanctions,
  initialState: () => ({ entries: {} }),
};
