import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { x as extractTar } from 'tar';

/**
 * PGlite for "Start Local Platform". Its WebAssembly and data files (~5 MB compressed) cannot ride
 * in a .vsix kept under 3 MB, so the first start downloads the exact tarball the server was built
 * and tested with from the npm registry, refuses any bytes whose sha512 differs from the integrity
 * package-lock.json recorded (dist/server/pglite.json, written by esbuild.mjs), and unpacks it into
 * VS Code's storage for the extension. Later starts use that copy, offline. No `vscode` import:
 * unit tests run it on Node against a loopback registry.
 */
export interface PgliteManifest {
  name: string;
  version: string;
  /** `sha512-<base64>`, as package-lock.json records it. */
  integrity: string;
}

export interface EnsurePgliteOptions {
  manifest: PgliteManifest;
  /** Where verified copies live (one folder per version). */
  storageDir: string;
  /** An npm registry's base URL (https://registry.npmjs.org, or a mirror). */
  registry: string;
  signal?: AbortSignal;
  /** Progress in words ("downloading PGlite 0.5.17: 2.1 of 5.0 MB"). */
  report?: (message: string) => void;
  /** Milliseconds before a stalled download is abandoned. */
  timeoutMs?: number;
}

/** A download that failed or was refused; the message says what to do. */
export class PgliteDownloadError extends Error {}

const MARKER = '.ogelbase-verified';
const MAX_BYTES = 64 * 1024 * 1024;

export function readManifest(file: string): PgliteManifest {
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as PgliteManifest;
  if (!manifest.version || !/^sha512-[A-Za-z0-9+/]+={0,2}$/.test(manifest.integrity ?? '')) throw new Error(`${file} names no PGlite version with a sha512 integrity`);
  return manifest;
}

/** The tarball's address on a registry: `<registry>/@electric-sql/pglite/-/pglite-<version>.tgz`. */
export function tarballUrl(registry: string, manifest: PgliteManifest): string {
  const base = registry.replace(/\/+$/, '');
  const bare = manifest.name.split('/').at(-1)!;
  return `${base}/${manifest.name}/-/${bare}-${manifest.version}.tgz`;
}

/** The folder holding a verified copy of this version, or undefined. */
export function verifiedCopy(storageDir: string, manifest: PgliteManifest): string | undefined {
  const dir = join(storageDir, manifest.version, 'package');
  try {
    return readFileSync(join(dir, MARKER), 'utf8').trim() === manifest.integrity && existsSync(join(dir, 'dist', 'index.js')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function download(url: string, options: EnsurePgliteOptions): Promise<Buffer> {
  const { manifest, report } = options;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 120_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = timeout.aborted ? 'no answer in time' : (cause?.code ?? cause?.message ?? (error as Error).message);
    throw new PgliteDownloadError(
      `could not download PGlite ${manifest.version} from ${url} (${why}). Start Local Platform needs it once (about 5 MB); connect to the internet, or set ogelbase.localPlatform.registry to an npm registry this machine reaches, or run the platform from the repository with \`npm start -- --server-only\`.`,
    );
  }
  if (!response.ok || !response.body) throw new PgliteDownloadError(`could not download PGlite ${manifest.version}: ${url} answered HTTP ${response.status}. Check ogelbase.localPlatform.registry.`);
  const total = Number(response.headers.get('content-length') ?? 0);
  const chunks: Buffer[] = [];
  let received = 0;
  let lastReport = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    received += chunk.byteLength;
    if (received > MAX_BYTES) throw new PgliteDownloadError(`the PGlite download from ${url} is over ${MAX_BYTES / 1024 / 1024} MB: refusing it`);
    chunks.push(Buffer.from(chunk));
    if (report && Date.now() - lastReport > 250) {
      lastReport = Date.now();
      report(`downloading PGlite ${manifest.version}: ${megabytes(received)}${total ? ` of ${megabytes(total)}` : ''} MB`);
    }
  }
  return Buffer.concat(chunks);
}

/**
 * The folder of a verified PGlite package (with `dist/index.js`): the copy from an earlier start,
 * or a fresh download checked against the manifest's integrity and unpacked next to it.
 */
export async function ensurePglite(options: EnsurePgliteOptions): Promise<string> {
  const { manifest, storageDir } = options;
  const existing = verifiedCopy(storageDir, manifest);
  if (existing) return existing;
  const url = tarballUrl(options.registry, manifest);
  options.report?.(`downloading PGlite ${manifest.version} from ${new URL(url).host}`);
  const bytes = await download(url, options);
  const actual = `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
  if (actual !== manifest.integrity) {
    throw new PgliteDownloadError(
      `the PGlite ${manifest.version} downloaded from ${url} does not match the integrity recorded when this extension was built (${manifest.integrity.slice(0, 19)}…, got ${actual.slice(0, 19)}…): refusing it. Check ogelbase.localPlatform.registry.`,
    );
  }
  options.report?.(`unpacking PGlite ${manifest.version}`);
  const versionDir = join(storageDir, manifest.version);
  const staging = join(storageDir, `.staging-${process.pid}-${Date.now()}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const tarball = join(staging, 'package.tgz');
    writeFileSync(tarball, bytes);
    // tar refuses absolute paths and `..` unless told otherwise; strict turns its warnings into errors.
    await extractTar({ file: tarball, cwd: staging, strict: true });
    rmSync(tarball);
    const unpacked = join(staging, 'package');
    if (!existsSync(join(unpacked, 'dist', 'index.js'))) throw new PgliteDownloadError(`the PGlite ${manifest.version} tarball holds no package/dist/index.js`);
    writeFileSync(join(unpacked, MARKER), `${manifest.integrity}\n`);
    rmSync(versionDir, { recursive: true, force: true });
    mkdirSync(versionDir, { recursive: true });
    renameSync(unpacked, join(versionDir, 'package'));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return join(versionDir, 'package');
}
