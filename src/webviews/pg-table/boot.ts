import { bootWebview } from '../shared/boot';
import { Ready } from '../protocol/pg-table';

/** The handshake: the database this panel shows, and where it was opened. */
export async function boot() {
  const client = bootWebview();
  const { database, init, state } = await client.request(Ready, {});
  return { client, database, init, kept: state };
}
