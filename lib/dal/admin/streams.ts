import "server-only";

import { notFound } from "next/navigation";

import { database } from "../../db";
import { readStreamPage, type StreamDto } from "../../read-models/streams";
import { requireAdminUser } from "./access";

export { STREAM_ID, STREAM_PAGE_SIZE, type StoredEventRowDto, type StreamDto } from "../../read-models/streams";

/** A page of a stream's raw rows for the inspector; admins only, "not found" for a stream that does not exist. */
export async function getStream(streamId: string, from = 1n): Promise<StreamDto> {
  await requireAdminUser();
  const { db } = await database();
  return (await readStreamPage(db, streamId, from)) ?? notFound();
}
