export {
  DecryptionError,
  EncryptionKeyError,
  generateEncryptionKeyHex,
  Keyring,
  keyIdOfKey,
  parseEncryptionKey,
  type DecryptionFailure,
  type KeyringNames,
} from './keyring';
export {
  decryptPgMetaConnection,
  encryptPgMetaConnection,
  PG_META_CONNECTION_HEADER,
  PgMetaHeaderError,
  type PgMetaHeaderFailure,
} from './pg-meta-header';
