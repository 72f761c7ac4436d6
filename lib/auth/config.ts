import "server-only";

import NextAuth, { CredentialsSignin, type DefaultSession } from "next-auth";
import Credentials from "next-auth/providers/credentials";

import { clientAddress } from "../client-address";
import { processDatabase } from "../db/process-database";
import type { Role } from "../domain/identity/events";
import { log } from "../log";
import { relyingPartyFor } from "./passkeys";
import { endSessions, SESSION_MAX_AGE_SECONDS } from "./sessions";
import { completePasskeySignIn, completeSignIn } from "./sign-in";

declare module "next-auth" {
  interface Session {
    user: { id: string; role: Role } & DefaultSession["user"];
    /** The server-side session's id (lib/auth/sessions.ts); every request checks it is still live. */
    sessionId?: string;
  }
  interface User {
    role?: Role;
    sessionId?: string;
  }
}

/** The sign-in challenge is spent, expired or unknown: the form goes back to the password step. */
class ExpiredSignIn extends CredentialsSignin {
  code = "expired";
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: "/sign-in" },
  providers: [
    Credentials({
      // The password was checked by the sign-in form's first step (lib/dal/auth.ts), which gave a
      // challenge; here the challenge, and the second factor (a code, or a passkey's answer) when
      // enrolled, become a session. A passkey alone (passkeyAttempt without a challenge) is both factors.
      credentials: { challenge: {}, code: { label: "Code" }, passkeyAttempt: {}, passkeyResponse: {} },
      async authorize(credentials, request) {
        const { db } = await processDatabase();
        const client = { userAgent: request.headers.get("user-agent"), ip: clientAddress(request.headers), rp: relyingPartyFor(request.headers) };
        const result = credentials?.challenge
          ? await completeSignIn(
              db,
              {
                challenge: credentials.challenge,
                code: credentials.code,
                passkeyAttempt: credentials.passkeyAttempt,
                passkeyResponse: credentials.passkeyResponse,
              },
              client,
            )
          : await completePasskeySignIn(db, { attempt: credentials?.passkeyAttempt, response: credentials?.passkeyResponse }, client);
        if (result.ok)
          return { id: result.user.id, email: result.user.email, name: result.user.name, role: result.user.role, sessionId: result.sessionId };
        if (result.reason === "EXPIRED") throw new ExpiredSignIn();
        return null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.role = user.role;
        token.sid = user.sessionId;
      }
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      if (typeof token.sid === "string") session.sessionId = token.sid;
      session.user.role = (token.role as Role | undefined) ?? "customer";
      return session;
    },
  },
  events: {
    // Signing out ends the server-side session, so a copy of the cookie stops working too.
    async signOut(message) {
      const token = "token" in message ? message.token : null;
      if (!token?.sub || typeof token.sid !== "string") return;
      const { db } = await processDatabase();
      await endSessions(db, { id: token.sub, role: (token.role as Role | undefined) ?? "customer" }, { sessionId: token.sid, reason: "signed-out" });
    },
  },
  logger: {
    // A wrong password is an expected outcome (audited as an event), not a server error with a stack.
    error(error) {
      const type = (error as { type?: string }).type;
      if (error.name === "CredentialsSignin" || type === "CredentialsSignin") return;
      // A forged, stale or foreign session cookie is refused (the visitor is signed out): one line, no stack.
      if (type === "JWTSessionError") {
        log().warn({ event: "auth" }, "refused a session cookie that does not decrypt with AUTH_SECRET");
        return;
      }
      log().error({ event: "auth", err: error }, "Auth.js error");
    },
  },
});
