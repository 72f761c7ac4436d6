import { ValidationError } from "../domain/shared/errors";

/**
 * The rules for the account a payment goes into, written once for transfers and standing orders:
 * it exists, it is not the account paying, and it holds the same currency. `currencyRule` starts
 * the currency sentence ("Transfers must stay", "Payments stay").
 */
export function checkDestination<D extends { account: { accountId: string; currency: string } }>(
  sourceAccountId: string,
  currency: string,
  destination: D | undefined,
  currencyRule: string,
): D {
  if (!destination) throw new ValidationError({ toAccountNumber: ["No account has that number."] });
  if (destination.account.accountId === sourceAccountId) throw new ValidationError({ toAccountNumber: ["Choose a different account to pay into."] });
  if (destination.account.currency !== currency) {
    throw new ValidationError({
      toAccountNumber: [`${currencyRule} in one currency: your account holds ${currency} and the payee's holds ${destination.account.currency}.`],
    });
  }
  return destination;
}
