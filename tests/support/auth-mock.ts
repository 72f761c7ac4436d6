import { vi } from "vitest";

import { testSessionFor } from "./sessions";

/**
 * For tests that call actions and DAL functions directly: Auth.js replaced by whoever the test
 * signs in (`signedIn.user`), with a real server-side session row for them, which the DAL checks on
 * every call. A test file mocks `@/lib/auth/config` with `authConfigMock` and sets `signedIn.user`.
 */
export const signedIn = { user: null as null | { id: string; email: string; name: string; role: string } };

export const authConfigMock = {
  auth: async () => {
    if (!signedIn.user) return null;
    return { user: signedIn.user, sessionId: await testSessionFor(signedIn.user), expires: new Date(Date.now() + 3_600_000).toISOString() };
  },
  signIn: vi.fn(),
  signOut: vi.fn(),
};
