import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { accountNumberFromDigits, formatAccountNumber, normaliseAccountNumber } from "@/lib/domain/account/account-number";

const body = fc.stringMatching(/^\d{8}$/);

/** Independent ISO 7064 MOD 97-10 check, as for an IBAN: body, then "LL" as 21 21, then the check digits. */
const passesMod97 = (number: string) => BigInt(`${number.slice(4)}2121${number.slice(2, 4)}`) % 97n === 1n;

/** Every way to mistype one of the ten digits (two check digits + eight body digits). */
function singleDigitChanges(number: string): string[] {
  const changed: string[] = [];
  for (let index = 2; index < number.length; index++) {
    for (const digit of "0123456789") {
      if (digit !== number[index]) changed.push(number.slice(0, index) + digit + number.slice(index + 1));
    }
  }
  return changed;
}

/** Every swap of two neighbouring, different digits. */
function adjacentSwaps(number: string): string[] {
  const swapped: string[] = [];
  for (let index = 2; index < number.length - 1; index++) {
    const [left, right] = [number[index], number[index + 1]];
    if (left !== right) swapped.push(number.slice(0, index) + right + left + number.slice(index + 2));
  }
  return swapped;
}

describe("accountNumberFromDigits", () => {
  it('builds "LL" + two check digits + the eight digits', () => {
    expect(accountNumberFromDigits("12345678")).toBe("LL5612345678");
    expect(accountNumberFromDigits("00000000")).toBe("LL4000000000");
  });

  it("generated numbers pass the MOD 97-10 check and normalise to themselves", () => {
    fc.assert(
      fc.property(body, (digits) => {
        const number = accountNumberFromDigits(digits);
        expect(number).toMatch(/^LL\d{2}\d{8}$/);
        expect(number.slice(4)).toBe(digits);
        expect(passesMod97(number)).toBe(true);
        expect(normaliseAccountNumber(number)).toBe(number);
      }),
      { numRuns: 500 },
    );
  });

  it.each(["1234567", "123456789", "1234567a", "", " 12345678"])("refuses a body of %j", (digits) => {
    expect(() => accountNumberFromDigits(digits)).toThrow("eight digits");
  });
});

describe("normaliseAccountNumber", () => {
  it.each(["LL5612345678", "ll5612345678", "LL56 1234 5678", "ll56 1234-5678", "  LL56-1234-5678  ", "L L 5 6 1 2 3 4 5 6 7 8"])(
    "accepts %j as LL5612345678",
    (input) => {
      expect(normaliseAccountNumber(input)).toBe("LL5612345678");
    },
  );

  it.each(["", "LL56", "LL561234567", "LL56123456789", "XX5612345678", "5612345678", "LL56 1234 567O", "LL5612345678x"])(
    "refuses the malformed %j",
    (input) => {
      expect(normaliseAccountNumber(input)).toBeNull();
    },
  );

  it("refuses a changed digit", () => {
    expect(normaliseAccountNumber("LL5612345679")).toBeNull();
    expect(normaliseAccountNumber("LL5712345678")).toBeNull();
  });

  it("refuses a swapped adjacent pair", () => {
    expect(normaliseAccountNumber("LL5621345678")).toBeNull();
    expect(normaliseAccountNumber("LL5612345687")).toBeNull();
    expect(normaliseAccountNumber("LL6512345678")).toBeNull();
  });

  it("catches every single-digit change and every adjacent swap of any generated number", () => {
    fc.assert(
      fc.property(body, (digits) => {
        const number = accountNumberFromDigits(digits);
        for (const typo of [...singleDigitChanges(number), ...adjacentSwaps(number)]) {
          expect(normaliseAccountNumber(typo), typo).toBeNull();
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe("formatAccountNumber", () => {
  it("groups by four", () => {
    expect(formatAccountNumber("LL5612345678")).toBe("LL56 1234 5678");
  });

  it("round-trips through normaliseAccountNumber", () => {
    fc.assert(
      fc.property(body, (digits) => {
        const number = accountNumberFromDigits(digits);
        expect(normaliseAccountNumber(formatAccountNumber(number))).toBe(number);
      }),
    );
  });
});
