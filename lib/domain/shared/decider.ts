/** Emmett-style decider: the whole behaviour of an aggregate as three pure values. */
export type Decider<Command, Event, State> = {
  decide: (command: Command, state: State) => readonly Event[];
  evolve: (state: State, event: Event) => State;
  initialState: () => State;
};

/** What every command carries besides its data: who, when, and which request. */
export type CommandMetadata = {
  readonly now: Date;
  readonly actor: { readonly id: string; readonly role: "customer" | "admin" | "system" | "scheme" };
  readonly commandId?: string;
  readonly correlationId?: string;
  /** A correlation id an untrusted caller sent: kept as its claim, never as our correlation id. */
  readonly claimedCorrelationId?: string;
  readonly causationId?: string;
  readonly origin?: "web" | "api" | "cli" | "system" | "test";
  /** The HTTP request that carried the command, for logs only (events keep the correlation id). */
  readonly requestId?: string;
  /**
   * The request's own log line, when it writes one for itself and its command (the API's access
   * line): the command's fields join it instead of a line of their own. Logs only.
   */
  readonly logLine?: CommandLogLine;
};

/** Takes a command's log fields; false once the line is written (or holds a command already). */
export type CommandLogLine = { join(fields: Readonly<Record<string, unknown>>): boolean };

export type Message<Type extends string, Data> = {
  readonly type: Type;
  readonly data: Data;
};
