import type { MongoConnection } from './mongodb';
import type { PostgresConnection } from './postgres';
import type { RedisConnection } from './redis';
import type { HostPort } from './uri';

type Parsed = PostgresConnection | RedisConnection | MongoConnection;

function hostPort(h: HostPort, engine: Parsed['engine']): string {
  if (h.host.startsWith('/')) return engine === 'postgres' ? `${h.host.replace(/\/$/, '')}/.s.PGSQL.${h.port}` : h.host;
  return `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;
}

function where(hosts: readonly HostPort[], engine: Parsed['engine']): string {
  return hosts.length === 1 ? hostPort(hosts[0]!, engine) : `${hosts.length} hosts`;
}

/**
 * A short, credential-free label for the tree's description: `db.example.com:5432/app`,
 * `3 hosts/ogelbase (replica set rs0)`, `cluster0.example.net/app (SRV)`, `redis.internal:6379/2`,
 * `mymaster via 3 sentinels`, `cluster of 3 seed nodes`.
 */
export function describeEndpoint(parsed: Parsed): string {
  switch (parsed.engine) {
    case 'postgres': {
      const attrs = parsed.hosts.length > 1 && parsed.targetSessionAttrs ? ` (${parsed.targetSessionAttrs})` : '';
      return `${where(parsed.hosts, 'postgres')}/${parsed.database}${attrs}`;
    }
    case 'redis': {
      const db = parsed.db === 0 ? '' : `/${parsed.db}`;
      const n = parsed.hosts.length;
      if (parsed.topology === 'sentinel') {
        return `${parsed.masterName}${db} via ${n === 1 ? hostPort(parsed.hosts[0]!, 'redis') : `${n} sentinels`}`;
      }
      if (parsed.topology === 'cluster') return n === 1 ? `cluster via ${hostPort(parsed.hosts[0]!, 'redis')}` : `cluster of ${n} seed nodes`;
      return `${hostPort(parsed.hosts[0]!, 'redis')}${db}`;
    }
    case 'mongodb': {
      const host = parsed.srv ? parsed.hosts[0]!.host : where(parsed.hosts, 'mongodb');
      const notes = [parsed.srv ? 'SRV' : '', parsed.replicaSet ? `replica set ${parsed.replicaSet}` : ''].filter(Boolean);
      return `${host}${parsed.database ? `/${parsed.database}` : ''}${notes.length ? ` (${notes.join(', ')})` : ''}`;
    }
  }
}

/**
 * True when EVERY host can only be reached from inside a private network, so the extension must go
 * through the platform proxy rather than connect directly. Counted as private:
 * - `*.internal` (ICANN reserved `.internal` for private use in 2024; Railway's private network is
 *   `*.railway.internal`), `*.local` (mDNS, link-local), `*.home.arpa` (RFC 8375);
 * - single-label names (`postgres`, `redis`: Docker, Kubernetes or search-domain service names);
 * - `localhost`, loopback addresses and unix sockets: they name the machine the platform runs on,
 *   which only the proxy reaches reliably;
 * - RFC 1918 (10/8, 172.16/12, 192.168/16), CGNAT 100.64/10, link-local 169.254/16, and IPv6
 *   unique-local fc00::/7 (Railway's private network), link-local fe80::/10 and their IPv4-mapped forms.
 * Anything else (public names such as `*.up.railway.app` or `*.proxy.rlwy.net`, public IPs) is not.
 */
export function isPrivateNetworkHost(parsed: Parsed): boolean {
  return parsed.hosts.length > 0 && parsed.hosts.every((h) => isPrivateHostName(h.host));
}

export function isPrivateHostName(host: string): boolean {
  if (host.startsWith('/')) return true;
  const name = host.toLowerCase().replace(/\.$/, '');
  if (name.includes(':')) return isPrivateIPv6(name);
  if (/^\d+(\.\d+){3}$/.test(name)) return isPrivateIPv4(name);
  if (!name.includes('.')) return true;
  return /\.(internal|local|localhost|home\.arpa)$/.test(name);
}

function isPrivateIPv4(ip: string): boolean {
  const [a = 0, b = 0] = ip.split('.').map(Number);
  return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
}

function isPrivateIPv6(ip: string): boolean {
  if (ip === '::1') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) return isPrivateIPv4(mapped[1]!);
  return /^f[cd][0-9a-f]{0,2}:/.test(ip) || /^fe[89ab][0-9a-f]?:/.test(ip);
}
