/**
 * Bot Framework channel tokens, made the way the Bot Connector makes them: an RS256 JWT issued by
 * `https://api.botframework.com` for the bot's app id, carrying the `serviceurl` claim, signed with a
 * key published in an OpenID metadata document whose JWKS entry lists the channels it endorses. The
 * fake connector serves that document, so botbuilder checks these tokens with its own code.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";

export const CHANNEL_TOKEN_ISSUER = "https://api.botframework.com";

export interface ChannelTokenClaims {
  appId: string;
  serviceUrl: string;
  issuer?: string;
  /** Seconds from now; negative for an expired token. */
  expiresInSeconds?: number;
}

const base64url = (value: Buffer | string) => Buffer.from(value).toString("base64url");

export class ChannelTokenSigner {
  readonly kid: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;

  constructor(
    readonly endorsements: string[] = ["msteams", "webchat", "emulator", "directline"],
    kid?: string,
  ) {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
    this.kid = kid ?? randomUUID();
  }

  /** The JWKS entry the OpenID metadata document publishes. */
  jwk(): Record<string, unknown> {
    const { n, e } = this.publicKey.export({ format: "jwk" });
    return { kty: "RSA", use: "sig", kid: this.kid, n, e, endorsements: this.endorsements };
  }

  sign(claims: ChannelTokenClaims): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: "RS256", typ: "JWT", kid: this.kid };
    const payload = {
      iss: claims.issuer ?? CHANNEL_TOKEN_ISSUER,
      aud: claims.appId,
      serviceurl: claims.serviceUrl,
      nbf: now - 60,
      iat: now - 60,
      exp: now + (claims.expiresInSeconds ?? 3600),
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    return `${signingInput}.${base64url(sign("sha256", Buffer.from(signingInput), this.privateKey))}`;
  }
}
