import type { Queryable } from '../db/sql';

export interface AuditActor {
  userId: string | null;
  tokenId: string | null;
}

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId: string | null;
  organizationId: string | null;
  /** Never a secret: names, ids and flags only. */
  details?: Record<string, unknown>;
}

/** Append-only record of changes and reveals; written in the same transaction as the change. */
export class AuditStore {
  constructor(private readonly sql: Queryable) {}

  async record(actor: AuditActor, entry: AuditEntry, tx: Queryable = this.sql): Promise<void> {
    await tx.query(
      `INSERT INTO platform.audit_log (actor_user_id, actor_token_id, organization_id, action, target_type, target_id, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
      [actor.userId, actor.tokenId, entry.organizationId, entry.action, entry.targetType, entry.targetId, JSON.stringify(entry.details ?? {})],
    );
  }

  async list(filter: { organizationId?: string; action?: string; limit?: number } = {}) {
    const { rows } = await this.sql.query<{ at: Date; action: string; targetType: string; targetId: string | null; actorUserId: string | null; details: unknown }>(
      `SELECT at, action, target_type AS "targetType", target_id AS "targetId", actor_user_id AS "actorUserId", details
       FROM platform.audit_log
       WHERE ($1::uuid IS NULL OR organization_id = $1) AND ($2::text IS NULL OR action = $2)
       ORDER BY id DESC LIMIT $3`,
      [filter.organizationId ?? null, filter.action ?? null, filter.limit ?? 100],
    );
    return rows;
  }
}
