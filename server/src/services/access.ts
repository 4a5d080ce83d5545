import type { Role } from '../../../src/core/api/types';
import { forbidden } from '../errors';

/** Roles that may change databases; `read_only` members can only read. */
const writers: readonly Role[] = ['owner', 'admin', 'developer'];
/** Roles that may see a plaintext connection string and decide how a database is protected. */
const managers: readonly Role[] = ['owner', 'admin'];

export function requireWriter(role: Role, action: string): void {
  if (!writers.includes(role)) {
    throw forbidden(`your role in this organization (${role}) can read but not ${action}; ask an owner, admin or developer`);
  }
}

export function requireRevealer(role: Role): void {
  if (!managers.includes(role)) {
    throw forbidden(`only owners and admins can reveal a connection string; your role is ${role}`);
  }
}

/** Read-only flags, read credentials and server-side JavaScript: what protects a database from its other members. */
export function requireManager(role: Role, action: string): void {
  if (!managers.includes(role)) {
    throw forbidden(`only owners and admins can ${action}; your role is ${role}`);
  }
}

export const canWrite = (role: Role) => writers.includes(role);
