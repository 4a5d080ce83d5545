import { splitStatements } from '../../../src/core/engines/postgres/sql-text';
import type { Logger } from '../logger';
import type { PlatformSql } from './sql';

/**
 * Versioned migrations of the `platform` schema. Each runs once, in its own transaction, recorded
 * in `platform.schema_migrations`; a restart applies only what is missing. Never edit a migration
 * that has shipped: add the next version.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'platform schema',
    sql: `
      CREATE TABLE platform.users (
        id uuid PRIMARY KEY,
        email text NOT NULL UNIQUE,
        display_name text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE platform.organizations (
        id uuid PRIMARY KEY,
        slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE platform.organization_members (
        organization_id uuid NOT NULL REFERENCES platform.organizations(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES platform.users(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'developer', 'read_only')),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (organization_id, user_id)
      );
      CREATE INDEX organization_members_user ON platform.organization_members (user_id);
      CREATE TABLE platform.projects (
        id uuid PRIMARY KEY,
        organization_id uuid NOT NULL REFERENCES platform.organizations(id) ON DELETE CASCADE,
        ref text NOT NULL UNIQUE CHECK (ref ~ '^[a-z0-9][a-z0-9-]{2,39}$'),
        name text NOT NULL,
        region text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX projects_organization ON platform.projects (organization_id);
      CREATE TABLE platform.credentials (
        project_id uuid PRIMARY KEY REFERENCES platform.projects(id) ON DELETE CASCADE,
        jwt_secret_encrypted text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        rotated_at timestamptz
      );
      CREATE TABLE platform.databases (
        id uuid PRIMARY KEY,
        project_id uuid NOT NULL REFERENCES platform.projects(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 63),
        type text NOT NULL CHECK (type IN ('postgres', 'redis', 'mongodb')),
        description text,
        connection_string_encrypted text NOT NULL,
        read_only boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (project_id, name)
      );
      CREATE TABLE platform.api_tokens (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES platform.users(id) ON DELETE CASCADE,
        name text NOT NULL,
        token_prefix text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz
      );
      CREATE TABLE platform.audit_log (
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_user_id uuid,
        actor_token_id uuid,
        organization_id uuid,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text,
        details jsonb NOT NULL DEFAULT '{}'::jsonb
      );
      CREATE INDEX audit_log_organization_at ON platform.audit_log (organization_id, at DESC);
    `,
  },
  {
    version: 2,
    name: 'database certificates, read credentials and server-side JavaScript',
    sql: `
      ALTER TABLE platform.databases ADD COLUMN tls_encrypted text;
      ALTER TABLE platform.databases ADD COLUMN read_credential_encrypted text;
      ALTER TABLE platform.databases ADD COLUMN read_credential_kind text CHECK (read_credential_kind IN ('provisioned', 'supplied'));
      ALTER TABLE platform.databases ADD COLUMN server_javascript boolean NOT NULL DEFAULT false;
    `,
  },
  {
    version: 3,
    name: 'backups, restores and backup schedules',
    sql: `
      CREATE TABLE platform.backups (
        id uuid PRIMARY KEY,
        database_id uuid NOT NULL REFERENCES platform.databases(id) ON DELETE CASCADE,
        organization_id uuid NOT NULL,
        engine text NOT NULL CHECK (engine IN ('postgres', 'redis', 'mongodb')),
        status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
        trigger text NOT NULL CHECK (trigger IN ('manual', 'scheduled')),
        options jsonb NOT NULL DEFAULT '{}'::jsonb,
        progress jsonb,
        manifest jsonb,
        size_bytes bigint,
        error text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        heartbeat_at timestamptz,
        instance text,
        cancel_requested boolean NOT NULL DEFAULT false
      );
      CREATE INDEX backups_database_created ON platform.backups (database_id, created_at DESC);
      CREATE INDEX backups_active ON platform.backups (status) WHERE status IN ('queued', 'running');
      CREATE TABLE platform.restores (
        id uuid PRIMARY KEY,
        database_id uuid NOT NULL REFERENCES platform.databases(id) ON DELETE CASCADE,
        backup_id uuid REFERENCES platform.backups(id) ON DELETE SET NULL,
        organization_id uuid NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
        plan jsonb,
        progress jsonb,
        report jsonb,
        error text,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        heartbeat_at timestamptz,
        instance text,
        cancel_requested boolean NOT NULL DEFAULT false
      );
      CREATE INDEX restores_database_created ON platform.restores (database_id, created_at DESC);
      CREATE INDEX restores_active ON platform.restores (status) WHERE status IN ('queued', 'running');
      CREATE TABLE platform.backup_schedules (
        database_id uuid PRIMARY KEY REFERENCES platform.databases(id) ON DELETE CASCADE,
        cron text NOT NULL,
        timezone text NOT NULL DEFAULT 'UTC',
        enabled boolean NOT NULL DEFAULT true,
        options jsonb NOT NULL DEFAULT '{}'::jsonb,
        next_run_at timestamptz,
        last_run_at timestamptz,
        last_backup_id uuid,
        updated_by uuid,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX backup_schedules_due ON platform.backup_schedules (next_run_at) WHERE enabled;
    `,
  },
];

/** Applies every migration not yet recorded, in order. Returns the versions it applied. */
export async function migrate(sql: PlatformSql, log: Logger, list: Migration[] = migrations): Promise<number[]> {
  // Under the same advisory lock as each migration: `IF NOT EXISTS` is no guard against a second
  // server creating the schema at the same moment (it fails on pg_namespace's unique index).
  await sql.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7432001)');
    await tx.query('CREATE SCHEMA IF NOT EXISTS platform');
    await tx.query(`CREATE TABLE IF NOT EXISTS platform.schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  });
  const applied: number[] = [];
  for (const migration of [...list].sort((a, b) => a.version - b.version)) {
    const ran = await sql.transaction(async (tx) => {
      // The advisory lock makes two servers starting together apply each migration once.
      await tx.query('SELECT pg_advisory_xact_lock(7432001)');
      const done = await tx.query('SELECT 1 FROM platform.schema_migrations WHERE version = $1', [migration.version]);
      if (done.rowCount > 0) return false;
      // One statement per query: PGlite's and pg's extended protocol take one at a time.
      for (const statement of splitStatements(migration.sql)) await tx.query(statement.text);
      await tx.query('INSERT INTO platform.schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (ran) {
      applied.push(migration.version);
      log.info(`applied migration ${migration.version} (${migration.name})`);
    }
  }
  return applied;
}
