import "server-only";

import { database } from "../db";
import { encodeLivePosition, livePositionNow } from "../read-models/live";
import { currentUser } from "./session";

/**
 * Where the signed-in customer's live stream should start: the position the page was rendered at,
 * so what changes between the render and the stream's connection is sent, not lost (and the page
 * needs no refetch on connect). Null without a session.
 */
export async function myLiveStart(): Promise<string | null> {
  const user = await currentUser();
  if (!user) return null;
  const { db } = await database();
  return encodeLivePosition(await livePositionNow(db));
}
