import { lookup as lookupCallback, type LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { EngineError } from '../../../src/core/engines/errors';
import type { NetworkGuard } from '../../../src/core/engines/network';

/**
 * Which networks the databases registered on this server may be on: DATABASE_HOST_POLICY, a
 * comma-separated list of
 *   public    addresses on the internet
 *   private   RFC 1918 (10/8, 172.16/12, 192.168/16), CGNAT 100.64/10, IPv6 unique-local fc00::/7
 *   loopback  127/8, ::1, 0.0.0.0 (this machine: the platform's own services)
 *   a CIDR    10.20.0.0/16, fd12::/16
 *   a name    db.example.com, or *.railway.internal for every name under it, whatever it resolves to
 * Cloud metadata endpoints and link-local addresses (169.254/16, fe80::/10, fd00:ec2::254,
 * 100.100.100.200, 168.63.129.16…), multicast, broadcast and reserved ranges are refused whatever
 * the policy says: no rule can allow them. Every host is resolved by the system resolver (the one
 * the drivers use) and EVERY address it resolves to must be allowed; the drivers then connect to
 * the address that was checked, so a name cannot resolve elsewhere between the check and the
 * connection.
 */

export type Category = 'public' | 'private' | 'loopback' | 'metadata' | 'link-local' | 'reserved';
const NETWORKS = new Set(['public', 'private', 'loopback']);
type Network = 'public' | 'private' | 'loopback';

/** Instance metadata and platform agents of the big clouds, wherever they sit (one is a public address). */
const METADATA = new Set([
  '169.254.169.254', // AWS, GCP, Azure, OCI, DigitalOcean, OpenStack
  '169.254.170.2', // AWS ECS task metadata and credentials
  '169.254.170.23', // AWS EKS pod identity
  'fd00:ec2::254', // AWS IMDS over IPv6
  'fd00:ec2::23',
  '100.100.100.200', // Alibaba Cloud
  '168.63.129.16', // Azure WireServer
  '192.0.0.192', // Oracle Cloud (legacy)
]);
const METADATA_NAMES = /^(metadata|metadata\.google\.internal|metadata\.goog|instance-data(\.ec2\.internal)?)$/;

type Rule = { network: Network } | { cidr: [ipaddr.IPv4 | ipaddr.IPv6, number]; text: string } | { name: string; wildcard: boolean };

/** The IPv4 address inside an IPv6 one (mapped, NAT64, 6to4), which is what a packet really reaches. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const range = address.range();
  if (range === 'ipv4Mapped') return address.toIPv4Address();
  const bytes = address.toByteArray();
  if (range === 'rfc6052' || range === 'rfc6145') return ipaddr.IPv4.parse(bytes.slice(12).join('.'));
  if (range === '6to4') return ipaddr.IPv4.parse(bytes.slice(2, 6).join('.'));
  return undefined;
}

/** What kind of address this is, for the policy. */
export function categorize(text: string): Category {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.parse(text.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return 'reserved';
  }
  if (address.kind() === 'ipv6') {
    const inner = embeddedIPv4(address as ipaddr.IPv6);
    if (inner) return categorize(inner.toString());
  }
  if (METADATA.has(address.toNormalizedString()) || METADATA.has(address.toString())) return 'metadata';
  switch (address.range()) {
    case 'unicast':
      return 'public';
    case 'private':
    case 'carrierGradeNat':
    case 'uniqueLocal':
      return 'private';
    case 'loopback':
    case 'unspecified': // 0.0.0.0 and :: reach this machine
      return 'loopback';
    case 'linkLocal':
      return 'link-local';
    default:
      return 'reserved'; // multicast, broadcast, benchmarking, teredo, documentation…
  }
}

const normalName = (host: string) => host.toLowerCase().replace(/\.$/, '');

export class HostPolicyError extends Error {}

export class HostPolicy {
  private constructor(
    private readonly rules: Rule[],
    /** The policy as configured, for messages. */
    readonly text: string,
    private readonly resolve: (host: string) => Promise<LookupAddress[]>,
  ) {}

  /** Parses DATABASE_HOST_POLICY (see the module comment); throws HostPolicyError naming the bad entry. */
  static parse(text: string, resolve: (host: string) => Promise<LookupAddress[]> = (host) => lookup(host, { all: true, verbatim: true })): HostPolicy {
    const rules: Rule[] = [];
    for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
      const entry = raw.toLowerCase();
      if (NETWORKS.has(entry)) rules.push({ network: entry as Network });
      else if (entry.includes('/')) {
        try {
          rules.push({ cidr: ipaddr.parseCIDR(entry), text: entry });
        } catch {
          throw new HostPolicyError(`DATABASE_HOST_POLICY: ${raw} is not a CIDR range such as 10.0.0.0/8 or fd12::/16`);
        }
        const [base] = ipaddr.parseCIDR(entry);
        if (['link-local', 'metadata'].includes(categorize(base.toString()))) throw new HostPolicyError(`DATABASE_HOST_POLICY: ${raw} covers link-local or metadata addresses, which are always refused`);
      } else if (/^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$/.test(entry)) {
        rules.push(entry.startsWith('*.') ? { name: entry.slice(1), wildcard: true } : { name: entry, wildcard: false });
      } else {
        throw new HostPolicyError(`DATABASE_HOST_POLICY: ${raw} is none of public, private, loopback, a CIDR range or a host name (*.example.com)`);
      }
    }
    if (rules.length === 0) throw new HostPolicyError('DATABASE_HOST_POLICY is empty: name at least one of public, private, loopback, a CIDR range or a host name');
    return new HostPolicy(rules, rules.map(describeRule).join(','), resolve);
  }

  /** Whether a name rule names this host (then it may resolve to any address that is not always refused). */
  private namedByRule(host: string): boolean {
    const name = normalName(host);
    return this.rules.some((r) => 'name' in r && (r.wildcard ? name.endsWith(r.name) && name.length > r.name.length : name === r.name));
  }

  /** Why an address is refused (a sentence), or undefined when it is allowed. */
  refusal(address: string, viaNameRule = false): string | undefined {
    const category = categorize(address);
    if (category === 'metadata') return `${address} is a cloud metadata address, which is always refused`;
    if (category === 'link-local') return `${address} is a link-local address (where metadata services live), which is always refused`;
    if (category === 'reserved') return `${address} is in a reserved, multicast or broadcast range, which is always refused`;
    if (viaNameRule) return undefined;
    if (this.rules.some((r) => 'network' in r && r.network === category)) return undefined;
    const parsed = ipaddr.parse(address.replace(/%.*$/, ''));
    const plain = parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress() ? (parsed as ipaddr.IPv6).toIPv4Address() : parsed;
    if (this.rules.some((r) => 'cidr' in r && plain.kind() === r.cidr[0].kind() && plain.match(r.cidr))) return undefined;
    return `${address} is a ${category} address, which DATABASE_HOST_POLICY (${this.text}) does not allow`;
  }

  /** A check that needs no network: IP literals, and the names that always mean a metadata service. */
  staticRefusal(host: string): string | undefined {
    const name = normalName(host);
    if (METADATA_NAMES.test(name)) return `${host} is a cloud metadata service, which is always refused`;
    if (isIP(name.replace(/^\[|\]$/g, '').replace(/%.*$/, ''))) return this.refusal(name.replace(/^\[|\]$/g, ''));
    return undefined;
  }

  /**
   * Resolves `host` and checks every address. Returns the addresses (the first is the one to
   * connect to), or throws an EngineError (`invalid_input`: the caller asked for a forbidden
   * place; `unreachable`: the name does not resolve).
   */
  async check(host: string): Promise<string[]> {
    const early = this.staticRefusal(host);
    if (early) throw new EngineError('invalid_input', `refused by the host policy: ${early}`);
    const bare = host.replace(/^\[|\]$/g, '');
    if (isIP(bare.replace(/%.*$/, ''))) return [bare];
    let addresses: LookupAddress[];
    try {
      addresses = await this.resolve(host);
    } catch {
      throw new EngineError('unreachable', `the host ${host} could not be resolved from the platform`);
    }
    if (addresses.length === 0) throw new EngineError('unreachable', `the host ${host} could not be resolved from the platform`);
    const viaName = this.namedByRule(host);
    for (const { address } of addresses) {
      const why = this.refusal(address, viaName);
      if (why) throw new EngineError('invalid_input', `refused by the host policy: ${host} resolves to ${why.replace(`${address} is`, `${address}, which is`)}`);
    }
    return addresses.map((a) => a.address);
  }

  /** The guard the engines use on this server: pin, a checked `dns.lookup`, and a gate for announced addresses. */
  guard(): NetworkGuard {
    const checkedLookup = ((hostname: string, options: { all?: boolean; family?: number } | number | undefined, callback?: (...args: unknown[]) => void) => {
      const cb = (typeof options === 'function' ? options : callback) as (error: NodeJS.ErrnoException | null, address?: string | LookupAddress[], family?: number) => void;
      const opts = typeof options === 'object' && options !== null ? options : {};
      lookupCallback(hostname, { all: true, verbatim: true, ...(opts.family ? { family: opts.family } : {}) }, (error, addresses) => {
        if (error) return cb(error);
        const viaName = this.namedByRule(hostname);
        const refused = addresses.map((a) => this.refusal(a.address, viaName)).find(Boolean);
        if (refused || addresses.length === 0) {
          const denied = Object.assign(new Error(`refused by the host policy: ${hostname}: ${refused ?? 'no address'}`), { code: 'ENOTFOUND' });
          return cb(denied);
        }
        if (opts.all) cb(null, addresses);
        else cb(null, addresses[0]!.address, addresses[0]!.family);
      });
    }) as unknown as LookupFunction;
    return {
      pin: async (host) => (await this.check(host))[0]!,
      lookup: checkedLookup,
      mayFollow: (host) => {
        const bare = host.replace(/^\[|\]$/g, '');
        if (isIP(bare.replace(/%.*$/, ''))) return this.refusal(bare) === undefined;
        // An announced name is resolved by the driver through no hook of ours: followed only when a
        // name rule allows it, or when the policy allows every network anyway.
        if (this.staticRefusal(bare) !== undefined) return false;
        return this.namedByRule(bare) || ['public', 'private', 'loopback'].every((n) => this.rules.some((r) => 'network' in r && r.network === n));
      },
    };
  }
}

function describeRule(rule: Rule): string {
  if ('network' in rule) return rule.network;
  if ('cidr' in rule) return rule.text;
  return rule.wildcard ? `*${rule.name}` : rule.name;
}

/** The default: anything but metadata on a developer's machine; when deployed, the internet and Railway's private network. */
export function defaultHostPolicy(production: boolean): string {
  return production ? 'public,*.railway.internal' : 'public,private,loopback';
}
