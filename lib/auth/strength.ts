import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as en from "@zxcvbn-ts/language-en";

/**
 * Password strength by estimate (zxcvbn-ts: dictionaries of common passwords, names and words,
 * keyboard patterns, dates, repeats and l33t), instead of a short list of refused passwords. A score
 * of 3 ("safely unguessable", about 10^8 guesses or more) is required; the user's own name and email
 * count as known words. The estimator is built once per process (a pure, read-only table).
 */
export const MIN_PASSWORD_SCORE = 3;

let factory: ZxcvbnFactory | undefined;
const estimator = () =>
  (factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  }));

/** Null when strong enough, else what to do about it. */
export function passwordStrengthProblem(password: string, userInputs: string[] = []): string | null {
  const result = estimator().check(
    password.slice(0, 128),
    userInputs.filter(Boolean).map((input) => input.slice(0, 254)),
  );
  if (result.score >= MIN_PASSWORD_SCORE) return null;
  const hint = result.feedback.warning || result.feedback.suggestions[0];
  return `That password is too easy to guess${hint ? `: ${hint.replace(/\.$/, "")}` : ""}. Try a few unrelated words.`;
}
