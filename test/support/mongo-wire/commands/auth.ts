/**
 * SCRAM-SHA-256 and SCRAM-SHA-1 (RFC 5802/7677 as profiled by the MongoDB
 * auth spec) with node:crypto. SASLprep of passwords is skipped: it is the
 * identity for plain ASCII, which is all the tests use.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { Binary } from 'bson';
import type { Credential, Ctx, Handler } from '../context';
import { CommandError } from '../errors';
import { isDoc, num, type Doc } from '../values';

export interface UserSpec {
  user: string;
  password: string;
  /** Authentication database; defaults to admin. */
  db?: string;
}

const ALGO = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-1': 'sha1' } as const;
type Mechanism = keyof typeof ALGO;
/** The driver refuses fewer than 4096 iterations; more would only slow the tests down. */
const ITERATIONS = 4096;

const authFailed = () => new CommandError(18, 'AuthenticationFailed', 'Authentication failed.');
const hmac = (algo: string, key: Buffer, text: string) => createHmac(algo, key).update(text).digest();

export function makeCredentials(users: UserSpec[] = []): Map<string, Credential> {
  const creds = new Map<string, Credential>();
  for (const { user, password, db = 'admin' } of users) {
    const mechs: Credential['mechs'] = {};
    for (const [mech, algo] of Object.entries(ALGO)) {
      // SCRAM-SHA-1 hashes the MONGODB-CR digest, not the raw password (auth spec).
      const secret = algo === 'sha1' ? createHash('md5').update(`${user}:mongo:${password}`).digest('hex') : password;
      const salt = randomBytes(algo === 'sha1' ? 16 : 28);
      const salted = pbkdf2Sync(secret, salt, ITERATIONS, algo === 'sha1' ? 20 : 32, algo);
      const clientKey = hmac(algo, salted, 'Client Key');
      mechs[mech] = {
        salt, iterations: ITERATIONS,
        storedKey: createHash(algo).update(clientKey).digest(),
        serverKey: hmac(algo, salted, 'Server Key'),
      };
    }
    creds.set(`${db}.${user}`, { user, db, mechs });
  }
  return creds;
}

const payloadText = (p: unknown): string =>
  p instanceof Binary ? Buffer.from(p.buffer.subarray(0, p.position)).toString('utf8') : String(p ?? '');

const fields = (msg: string): Record<string, string> =>
  Object.fromEntries(msg.split(',').map((part) => [part.slice(0, 1), part.slice(2)]));

const saslStart = (cmd: Doc, ctx: Ctx): Doc => {
  const mechanism = String(cmd.mechanism) as Mechanism;
  if (!(mechanism in ALGO)) {
    throw new CommandError(334, 'MechanismUnavailable', `Received authentication for mechanism ${mechanism} which is not enabled`);
  }
  const text = payloadText(cmd.payload);
  if (!text.startsWith('n,,')) throw new CommandError(17, 'ProtocolError', 'SCRAM channel binding is not supported');
  const clientFirstBare = text.slice(3);
  const { n, r } = fields(clientFirstBare);
  const user = (n ?? '').replace(/=2C/g, ',').replace(/=3D/g, '=');
  const cred = ctx.server.creds.get(`${ctx.db}.${user}`);
  if (!cred || !r) throw authFailed();
  const keys = cred.mechs[mechanism];
  const nonce = r + randomBytes(24).toString('base64');
  const serverFirst = `r=${nonce},s=${keys.salt.toString('base64')},i=${keys.iterations}`;
  const id = (ctx.conn.sasl?.id ?? 0) + 1;
  const skipEmpty = isDoc(cmd.options) && Boolean(cmd.options.skipEmptyExchange);
  ctx.conn.sasl = { id, cred, mechanism, clientFirstBare, serverFirst, nonce, skipEmpty };
  return { conversationId: id, done: false, payload: new Binary(Buffer.from(serverFirst)), ok: 1 };
};

const saslContinue: Handler = (cmd, ctx) => {
  const conv = ctx.conn.sasl;
  if (!conv || conv.id !== num(cmd.conversationId, -1)) {
    throw new CommandError(17, 'ProtocolError', 'No SASL session state found');
  }
  if (conv.finished) {
    // Final empty round trip when the client did not ask for skipEmptyExchange.
    ctx.conn.sasl = undefined;
    return { conversationId: conv.id, done: true, payload: new Binary(Buffer.alloc(0)), ok: 1 };
  }
  const algo = ALGO[conv.mechanism as Mechanism];
  const keys = conv.cred.mechs[conv.mechanism];
  const clientFinal = payloadText(cmd.payload);
  const proofAt = clientFinal.lastIndexOf(',p=');
  const withoutProof = clientFinal.slice(0, proofAt);
  const { r, p } = fields(clientFinal);
  if (proofAt < 0 || r !== conv.nonce || !p) {
    ctx.conn.sasl = undefined;
    throw authFailed();
  }
  const authMessage = `${conv.clientFirstBare},${conv.serverFirst},${withoutProof}`;
  const signature = hmac(algo, keys.storedKey, authMessage);
  const proof = Buffer.from(p, 'base64');
  const clientKey = Buffer.from(proof.map((b, i) => b ^ signature[i]));
  const stored = createHash(algo).update(clientKey).digest();
  if (proof.length !== signature.length || !timingSafeEqual(stored, keys.storedKey)) {
    ctx.conn.sasl = undefined;
    throw authFailed();
  }
  ctx.conn.user = { user: conv.cred.user, db: conv.cred.db };
  const serverSignature = hmac(algo, keys.serverKey, authMessage).toString('base64');
  conv.finished = true;
  if (conv.skipEmpty) ctx.conn.sasl = undefined;
  return { conversationId: conv.id, done: conv.skipEmpty, payload: new Binary(Buffer.from(`v=${serverSignature}`)), ok: 1 };
};

/** `hello` extras: advertised mechanisms and the driver's speculative saslStart. */
export function helloAuthFields(cmd: Doc, ctx: Ctx): Doc {
  const out: Doc = {};
  if (typeof cmd.saslSupportedMechs === 'string' && ctx.server.creds.has(cmd.saslSupportedMechs)) {
    out.saslSupportedMechs = Object.keys(ALGO);
  }
  const spec = cmd.speculativeAuthenticate;
  if (isDoc(spec) && spec.saslStart && ctx.server.creds.size) {
    try {
      const { ok: _ok, ...reply } = saslStart(spec, { ...ctx, db: String(spec.db ?? 'admin') });
      out.speculativeAuthenticate = reply;
    } catch {
      // mongod silently drops a failed speculative attempt; the driver then runs saslStart itself.
    }
  }
  return out;
}

export const authCommands: Record<string, Handler> = { saslStart, saslContinue };
