import type { Decider, Message } from "../shared/decider";
import { assertNever, DomainError } from "../shared/errors";

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

/** Lower case, accents and punctuation dropped, spaces collapsed: "Café-Noir  Ltd." -> "cafe noir ltd". */
export function normaliseName(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Entries whose whole words appear in the payee's name or the reference. */
export function screen(texts: readonly (string | null)[], entries: readonly { name: string }[]): string[] {
  const haystack = ` ${texts.filter(Boolean).map((text) => normaliseName(text as string)).join(" | ")} `;
  const matches = new Set<string>();
  for (const entry of entries) {
    const needle = normaliseName(entry.name);
    if (needle && haystack.includes(` ${needle} `)) matches.add(entry.name);
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
