import type { MongoClient } from 'mongodb';
import type { EngineFactory } from '../connection-manager';
import { MongoEngine } from './engine';
import { checkMongoSeeds, mongoReach } from './reach';

/**
 * Connection figures from the driver's pool events (CMAP): created/closed connections, checked
 * out (active) and checkouts waiting for a free connection.
 */
function trackPool(client: MongoClient) {
  let open = 0;
  let checkedOut = 0;
  let waiting = 0;
  client.on('connectionCreated', () => open++);
  client.on('connectionClosed', () => (open = Math.max(0, open - 1)));
  client.on('connectionCheckOutStarted', () => waiting++);
  client.on('connectionCheckedOut', () => {
    waiting = Math.max(0, waiting - 1);
    checkedOut++;
  });
  client.on('connectionCheckOutFailed', () => (waiting = Math.max(0, waiting - 1)));
  client.on('connectionCheckedIn', () => (checkedOut = Math.max(0, checkedOut - 1)));
  return () => ({ active: checkedOut, idle: Math.max(0, open - checkedOut), waiting });
}

/** Opens a MongoEngine whose pool holds at most `capacity` connections. */
export const openMongoHandle: EngineFactory = async (database, capacity, settings) => {
  const engine = await MongoEngine.connect(
    database.connectionString,
    { ...settings, mongoMaxPoolSize: capacity, mongoMinPoolSize: Math.min(settings.mongoMinPoolSize, capacity) },
    {
      readOnly: database.readOnly,
      serverJavaScript: database.serverJavaScript,
      client: mongoReach(database.connectionString, database),
      gate: () => checkMongoSeeds(database.connectionString, database),
    },
  );
  const figures = trackPool(engine.client);
  return { engine, capacity, figures, close: () => engine.close() };
};
