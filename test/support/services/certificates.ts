import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary, run } from './processes';

export interface CertificatePair {
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  /** The CA that the trusting side is given (NODE_EXTRA_CA_CERTS, sslrootcert). */
  ca: CertificatePair;
  /** localhost and 127.0.0.1 would both match this one; it lists `localhost` only, so 127.0.0.1 is a host mismatch. */
  localhost: CertificatePair;
  /** Signed by the CA, for localhost, but valid only in 2020. */
  expired: CertificatePair;
  /** For localhost, signed by a CA nobody trusts. */
  rogue: CertificatePair;
}

/**
 * Makes the certificates the TLS tests need with openssl: a CA, a server certificate for
 * `localhost` signed by it, an expired one, and one signed by a second, untrusted CA. Keys are
 * RSA 2048 in PEM, owner-readable only.
 */
export function makeTestPki(): TestPki {
  const openssl = requireBinary('openssl', 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'ogelbase-pki-'));
  const path = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => run(openssl, args, { cwd: dir });

  const makeCa = (name: string): CertificatePair => {
    const pair = { cert: path(`${name}.crt`), key: path(`${name}.key`) };
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', pair.key, '-out', pair.cert, '-days', '2', '-subj', `/CN=OgelBase test ${name}`);
    return pair;
  };
  const ca = makeCa('ca');
  const rogueCa = makeCa('rogue-ca');

  writeFileSync(path('server.ext'), 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  const request = (name: string) => {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`), '-subj', '/CN=localhost');
    return { csr: path(`${name}.csr`), key: path(`${name}.key`) };
  };
  const signWith = (issuer: CertificatePair, name: string): CertificatePair => {
    const { csr, key } = request(name);
    ssl('x509', '-req', '-in', csr, '-CA', issuer.cert, '-CAkey', issuer.key, '-CAcreateserial', '-out', path(`${name}.crt`), '-days', '2', '-extfile', path('server.ext'));
    return { cert: path(`${name}.crt`), key };
  };
  const localhost = signWith(ca, 'localhost');
  const rogue = signWith(rogueCa, 'rogue');

  // `openssl x509` cannot back-date; `openssl ca` takes explicit start and end dates.
  const expiredRequest = request('expired');
  writeFileSync(path('index.txt'), '');
  writeFileSync(path('serial'), '1000\n');
  writeFileSync(
    path('ca.cnf'),
    [
      '[ ca ]',
      'default_ca = test',
      '[ test ]',
      `dir = ${dir}`,
      'database = $dir/index.txt',
      'serial = $dir/serial',
      'new_certs_dir = $dir',
      'default_md = sha256',
      'policy = anything',
      'copy_extensions = none',
      'x509_extensions = server',
      'unique_subject = no',
      '[ anything ]',
      'commonName = supplied',
      '[ server ]',
      'subjectAltName = DNS:localhost',
      'basicConstraints = CA:FALSE',
      'extendedKeyUsage = serverAuth',
    ].join('\n'),
  );
  ssl('ca', '-batch', '-config', path('ca.cnf'), '-cert', ca.cert, '-keyfile', ca.key, '-in', expiredRequest.csr, '-out', path('expired.crt'), '-startdate', '20200101000000Z', '-enddate', '20200201000000Z', '-notext');
  return { dir, ca, localhost, expired: { cert: path('expired.crt'), key: expiredRequest.key }, rogue };
}
