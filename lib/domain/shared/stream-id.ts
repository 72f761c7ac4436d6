/**
 * One aggregate's stream ids: `<prefix>-<id>` (the prefix is the stream type unless named). `of` names an aggregate's stream; `idOf` is its inverse
 * (a stream of another type is a programming error), so no caller slices a prefix by hand.
 */
export type StreamIds = {
  readonly type: string;
  of(id: string): string;
  idOf(streamId: string): string;
  owns(streamId: string): boolean;
};

export function streamIds(type: string, name: string = type): StreamIds {
  const prefix = `${name}-`;
  const owns = (streamId: string) => streamId.startsWith(prefix);
  return {
    type,
    of: (id) => prefix + id,
    idOf(streamId) {
      if (!owns(streamId)) throw new Error(`${streamId} is not a ${type} stream`);
      return streamId.slice(prefix.length);
    },
    owns,
  };
}
