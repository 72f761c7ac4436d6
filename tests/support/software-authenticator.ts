import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";

/**
 * A software passkey for tests: a P-256 key made with node:crypto, answering WebAuthn ceremonies
 * the way a browser and authenticator would (attestation "none", ES256 assertions), so the server's
 * checks can be driven without a browser. Every field the attacks need to bend is an option.
 */

// ---- the little CBOR (RFC 8949) the ceremonies need: maps, byte and text strings, integers.
function head(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 256) return Buffer.from([(major << 5) | 24, value]);
  if (value < 65536) return Buffer.from([(major << 5) | 25, value >> 8, value & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(value, 1);
  return b;
}
type Cbor = number | string | Buffer | Map<Cbor, Cbor>;
function cbor(value: Cbor): Buffer {
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  const parts = [head(5, value.size)];
  for (const [k, v] of value) parts.push(cbor(k), cbor(v));
  return Buffer.concat(parts);
}

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest();
const b64url = (data: Buffer) => data.toString("base64url");

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

type CreationOptions = { challenge: string; rp: { id?: string }; user: { id: string } };
type RequestOptions = { challenge: string; rpId?: string };

export class SoftwareAuthenticator {
  readonly credentialId: Buffer;
  private readonly privateKey: KeyObject;
  private readonly publicJwk: { x: string; y: string };
  /** The signature counter; a test may set it back to play a cloned authenticator. */
  counter = 0;
  userHandle: string | null = null;

  constructor(options: { credentialId?: Buffer } = {}) {
    this.credentialId = options.credentialId ?? randomBytes(32);
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: "jwk" }) as { x: string; y: string };
    this.publicJwk = { x: jwk.x, y: jwk.y };
  }

  get id(): string {
    return b64url(this.credentialId);
  }

  private coseKey(): Buffer {
    return cbor(
      new Map<Cbor, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(this.publicJwk.x, "base64url")],
        [-3, Buffer.from(this.publicJwk.y, "base64url")],
      ]),
    );
  }

  private authData(rpId: string, flags: number, attested: boolean): Buffer {
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.counter);
    const parts: Buffer[] = [sha256(rpId), Buffer.from([flags | (attested ? FLAG_AT : 0)]), count];
    if (attested) {
      const idLength = Buffer.alloc(2);
      idLength.writeUInt16BE(this.credentialId.length);
      parts.push(Buffer.alloc(16), idLength, this.credentialId, this.coseKey());
    }
    return Buffer.concat(parts);
  }

  /** navigator.credentials.create(), as @simplewebauthn/browser's startRegistration returns it (JSON). */
  register(options: CreationOptions, bend: { origin: string; rpId?: string; fmt?: string; userVerified?: boolean }): string {
    const rpId = bend.rpId ?? options.rp.id!;
    this.userHandle = options.user.id;
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: "webauthn.create", challenge: options.challenge, origin: bend.origin, crossOrigin: false }),
    );
    const flags = FLAG_UP | (bend.userVerified === false ? 0 : FLAG_UV) | FLAG_BE | FLAG_BS;
    const authData = this.authData(rpId, flags, true);
    // "packed" is self attestation (signed by the credential's own key), valid as far as it goes.
    const attStmt =
      bend.fmt === "packed"
        ? new Map<Cbor, Cbor>([
            ["alg", -7],
            ["sig", sign("sha256", Buffer.concat([authData, sha256(clientDataJSON)]), this.privateKey)],
          ])
        : new Map<Cbor, Cbor>();
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ["fmt", bend.fmt ?? "none"],
        ["attStmt", attStmt],
        ["authData", authData],
      ]),
    );
    return JSON.stringify({
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ["internal", "hybrid"] },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    });
  }

  /** navigator.credentials.get(), as startAuthentication returns it (JSON). The counter moves first. */
  assert(
    options: RequestOptions,
    bend: { origin: string; rpId?: string; userVerified?: boolean; counter?: number; userHandle?: string | null },
  ): string {
    const rpId = bend.rpId ?? options.rpId!;
    this.counter = bend.counter ?? this.counter + 1;
    const clientDataJSON = Buffer.from(
      JSON.stringify({ type: "webauthn.get", challenge: options.challenge, origin: bend.origin, crossOrigin: false }),
    );
    const flags = FLAG_UP | (bend.userVerified === false ? 0 : FLAG_UV) | FLAG_BE | FLAG_BS;
    const authenticatorData = this.authData(rpId, flags, false);
    const signature = sign("sha256", Buffer.concat([authenticatorData, sha256(clientDataJSON)]), this.privateKey);
    const userHandle = bend.userHandle === undefined ? this.userHandle : bend.userHandle;
    return JSON.stringify({
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authenticatorData),
        signature: b64url(signature),
        ...(userHandle ? { userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    });
  }
}
