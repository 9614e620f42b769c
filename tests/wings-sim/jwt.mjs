// JWT verification as Wings does it (router/tokens, gbrlsnchs/jwt v3):
// HS256 keyed by the node token, three base64url (unpadded) parts, typed
// claims, `exp` required and in the future, then for user tokens the
// denylist: no iat / server_uuid / user_uuid, an iat before the boot instant
// (so any iat in the boot second), or an iat at or before a deny time refuses.
// Stricter than Wings on two points the contract asks for: the header must say
// HS256, and time claims must be whole seconds.
import { createHmac, timingSafeEqual } from "node:crypto";
import { parseJson } from "./json.mjs";
import { decodeNode, T } from "./gotype.mjs";

const Time = T.custom("*jwt.Time", (node, ctx) => {
  const r = ctx.decode(T.float64, node);
  if (r.errors.length) {
    ctx.fail(r.errors[0]);
    return null;
  }
  if (!Number.isInteger(r.value)) ctx.fail("time claims must be whole seconds (contract section 5)");
  return r.value;
});

const Audience = T.custom("jwt.Audience", (node, ctx) => {
  if (typeof node === "string") return [node];
  const r = ctx.decode(T.slice(T.string), node);
  if (r.errors.length) ctx.fail(r.errors[0]);
  return r.value;
});

const Header = T.struct("jwt.Header", { alg: T.string, cty: T.string, kid: T.string, typ: T.string });

/** jwt.Payload plus every claim of Wings' payload types (websocket, file, upload, backup, transfer). */
const Payload = T.struct("tokens.Payload", {
  iss: T.string,
  sub: T.string,
  aud: T.ptr(Audience),
  exp: T.ptr(Time),
  nbf: T.ptr(Time),
  iat: T.ptr(Time),
  jti: T.string,
  scope: T.string,
  user_uuid: T.string,
  server_uuid: T.string,
  permissions: T.slice(T.string),
  file_path: T.string,
  unique_id: T.string,
  backup_uuid: T.string,
});

/** A refusal, with Wings' wording where it has one. */
export class JwtError extends Error {}

export const ERR = {
  exp: "jwt: exp claim is invalid",
  denylist: "jwt: created too far in past (denylist)",
  connect: "jwt: missing connect permission",
  mismatch: "jwt: server uuid mismatch",
  none: "jwt: no jwt present",
};

function b64(part) {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) throw new JwtError("jwt: illegal base64 data (base64url without padding expected)");
  return Buffer.from(part, "base64url");
}

/** The node's token state: boot instant, denylists; verify() checks one token. */
export class TokenVerifier {
  constructor({ key, bootMs = Date.now(), now = () => Date.now() }) {
    this.key = key;
    this.bootMs = bootMs;
    this.now = now;
    this.jtiDeny = new Map();
    this.userDeny = new Map();
  }

  /** POST /api/servers/{uuid}/ws/deny. */
  denyJti(jti) {
    this.jtiDeny.set(jti, this.now());
  }

  /** deauthorize-user with servers: every token of `user` on `server` issued up to now. */
  denyForServer(server, user) {
    this.userDeny.set(`${server}:${user}`, this.now());
  }

  /** Signature, types and exp (tokens.ParseToken); returns the claims or throws JwtError. */
  parse(token) {
    const parts = String(token).split(".");
    if (parts.length !== 3) throw new JwtError("jwt: malformed token");
    const [h, p, s] = parts;
    const header = decodeNode(Header, parseSafe(b64(h).toString("utf8")));
    if (header.errors.length) throw new JwtError(header.errors[0]);
    if (header.value.alg !== "HS256") throw new JwtError(`jwt: alg ${JSON.stringify(header.value.alg)} is not HS256`);
    const expected = createHmac("sha256", this.key).update(`${h}.${p}`).digest();
    const got = b64(s);
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) throw new JwtError("jwt: HMAC verification failed");
    const claims = decodeNode(Payload, parseSafe(b64(p).toString("utf8")));
    if (claims.errors.length) throw new JwtError(claims.errors[0]);
    this.checkExp(claims.value);
    return claims.value;
  }

  /** jwt.ExpirationTimeValidator(time.Now()). */
  checkExp(claims) {
    if (claims.exp === null || this.now() > claims.exp * 1000) throw new JwtError(ERR.exp);
  }

  /** tokens.isDenylisted for a user token. */
  denylisted(claims) {
    if (claims.iat === null || !claims.server_uuid || !claims.user_uuid) return true;
    const iatMs = claims.iat * 1000;
    if (iatMs < this.bootMs) return true;
    const byJti = this.jtiDeny.get(claims.jti);
    if (byJti !== undefined && iatMs <= byJti) return true;
    const byUser = this.userDeny.get(`${claims.server_uuid}:${claims.user_uuid}`);
    if (byUser !== undefined && iatMs <= byUser) return true;
    return false;
  }

  /** WebsocketPayload.HasPermission: `*` grants all but admin.*; false once denylisted. */
  hasPermission(claims, permission) {
    for (const k of claims.permissions ?? []) {
      if (k === permission || (!permission.startsWith("admin") && k === "*")) return !this.denylisted(claims);
    }
    return false;
  }

  /** Scoped.HasScope: the space-separated `scope` claim. */
  static hasScope(claims, scope) {
    return claims.scope.split(" ").includes(scope);
  }

  /** websocket.NewTokenPayload: a token the console socket accepts at `auth`. */
  websocket(token) {
    const claims = this.parse(token);
    if (this.denylisted(claims)) throw new JwtError(ERR.denylist);
    if (!this.hasPermission(claims, "websocket.connect") || !TokenVerifier.hasScope(claims, "websocket")) throw new JwtError(ERR.connect);
    return claims;
  }

  /**
   * A download/upload token (scope file-download, file-upload, backup-download):
   * signature, exp, denylist and scope; `single` holds the unique_ids already used.
   */
  signedUrl(token, scope, single) {
    const claims = this.parse(token);
    if (!TokenVerifier.hasScope(claims, scope)) throw new JwtError("jwt: missing scope");
    if (this.denylisted(claims)) throw new JwtError(ERR.denylist);
    if (single) {
      if (single.has(claims.unique_id)) throw new JwtError("jwt: token already used");
      single.add(claims.unique_id);
    }
    return claims;
  }
}

function parseSafe(text) {
  try {
    return parseJson(text);
  } catch (error) {
    throw new JwtError(`jwt: ${error.message}`);
  }
}

/** Signs claims as a panel would (HS256, the test side of the simulator). */
export function signJwt(key, claims, header = { alg: "HS256", typ: "JWT" }) {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const body = `${enc(header)}.${enc(claims)}`;
  return `${body}.${createHmac("sha256", key).update(body).digest("base64url")}`;
}
