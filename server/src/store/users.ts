import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/sql';

export interface User {
  id: string;
  email: string;
  displayName: string | null;
}

const columns = 'id, email, display_name AS "displayName"';

export class UserStore {
  constructor(private readonly sql: Queryable) {}

  /** Creates the user; when a concurrent caller created the same email first, returns that user. */
  async create(email: string, displayName?: string): Promise<User> {
    const { rows } = await this.sql.query<User>(
      `INSERT INTO platform.users (id, email, display_name) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING RETURNING ${columns}`,
      [randomUUID(), email.toLowerCase(), displayName ?? null],
    );
    return rows[0] ?? (await this.byEmail(email))!;
  }

  async byId(id: string): Promise<User | undefined> {
    const { rows } = await this.sql.query<User>(`SELECT ${columns} FROM platform.users WHERE id = $1`, [id]);
    return rows[0];
  }

  async byEmail(email: string): Promise<User | undefined> {
    const { rows } = await this.sql.query<User>(`SELECT ${columns} FROM platform.users WHERE email = $1`, [email.toLowerCase()]);
    return rows[0];
  }
}
