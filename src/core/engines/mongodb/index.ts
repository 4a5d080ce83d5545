/**
 * Entry of the lazily loaded bundle dist/engines/mongodb.js: the engine, its operation table (the
 * same names the platform serves), opening it for the ConnectionManager, and probing.
 */
import type { EngineModule } from '../engine-module';
import { openMongoHandle } from './handle';
import { mongoOperations } from './operations';
import { probeMongo } from './probe';

export { MongoEngine } from './engine';
export { createMongoClient } from './connect';
export { listMongoDatabases, probeMongo } from './probe';
export { MONGO_LIMITS } from './types';
export type * from './types';

export const openHandle: EngineModule['openHandle'] = openMongoHandle;
export const operations = mongoOperations as EngineModule['operations'];
export const probe: EngineModule['probe'] = probeMongo;
/** Backup and restore (the bundle carries them so the extension loads this driver once). */
export { mongoBackup as backup } from '../../backup/mongodb';
