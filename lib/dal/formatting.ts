import "server-only";

import { cache } from "react";

import { formattingOf } from "../commands/profile";
import { database } from "../db";
import { DEFAULT_FORMATTING, formatDateTime, type Formatting } from "../domain/shared/format";
import { currentUser } from "./session";

/**
 * The one place a request learns how its customer reads dates and money (locale and time zone),
 * read once per request (React `cache`) and handed to every formatter the page, CSV and PDF use.
 * Signed out: en-GB and UTC.
 */
export const myFormatting = cache(async (): Promise<Formatting> => {
  const user = await currentUser();
  if (!user) return DEFAULT_FORMATTING;
  const { db } = await database();
  return formattingOf(db, user.id);
});

/** An instant as the customer reads a date and time, for server-rendered pages. */
export async function myDateTimes(): Promise<{ format: (at: Date | string) => string; timeZone: string }> {
  const formatting = await myFormatting();
  return { format: (at) => formatDateTime(new Date(at), formatting), timeZone: formatting.timeZone };
}
