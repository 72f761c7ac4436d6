import "server-only";
import NextAuth, { CredentialsSignin, type DefaultSession } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { processDatabase } from "../db/process-database";
import type { Role } from "../domain/identity/events";
import { verifyCredentials } from "./users";
import { log } from "../log";

declare module "next-auth" {
  interface Session {
    user: { id: string; role: Role } & DefaultSession["user"];
  }
  interface User {
    role?: Role;
  }
}

/** Signals a throttled sign-in; `code` reaches the sign-in form (it reveals nothing about the account). */
class ThrottledSignIn extends CredentialsSignin {
  code = "throttled";
}

export function clientAddress(headers: Headers): string | null {
  // next start sets x-forwarded-for from the socket; behind a proxy the first hop is the client.
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip") || null;
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: "jwt", maxAge: 60 * 60 * 8 },
  pages: { signIn: "/sign-in" },
  providers: [
    Credentials({
      credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
      async authorize(credentials, request) {
        const { db } = await processDatabase();
        const result = await verifyCredentials(db, { email: credentials?.email, password: credentials?.password }, clientAddress(request.headers));
        // A payment scheme is an API client, never a portal user (its password is random and never shown).
        if (result.ok && result.user.role === "scheme") return null;
        if (result.ok) return { id: result.user.id, email: result.user.email, name: result.user.name, role: result.user.role };
        if (result.reason === "THROTTLED") throw new ThrottledSignIn();
        return null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.sub = user.id;
        token.role = user.role;
      }
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      session.user.role = (token.role as Role | undefined) ?? "customer";
      return session;
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
