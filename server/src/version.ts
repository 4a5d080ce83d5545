import pkg from '../package.json';

/** The server's own version (server/package.json); the API's version is PLATFORM_API_VERSION. */
export const SERVER_VERSION: string = pkg.version;
