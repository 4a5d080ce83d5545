/**
 * Every command the extension registers, declared once. A test checks this map against
 * `contributes.commands` in package.json in both directions.
 */
export const CommandIds = {
  signIn: 'ogelbase.platform.signIn',
  signOut: 'ogelbase.platform.signOut',
  switchPlatform: 'ogelbase.platform.switch',
  refresh: 'ogelbase.explorer.refresh',
  addDatabase: 'ogelbase.database.add',
  editDatabase: 'ogelbase.database.edit',
  removeDatabase: 'ogelbase.database.remove',
  testConnection: 'ogelbase.database.testConnection',
  copyConnectionString: 'ogelbase.database.copyConnectionString',
  addLocalConnection: 'ogelbase.local.add',
  showHealthReport: 'ogelbase.health.showReport',
  startLocalPlatform: 'ogelbase.localPlatform.start',
  stopLocalPlatform: 'ogelbase.localPlatform.stop',
  openWalkthrough: 'ogelbase.openWalkthrough',
  openSettings: 'ogelbase.openSettings',
  showLog: 'ogelbase.showLog',
  loadMore: 'ogelbase.tree.loadMore',
  scanToEnd: 'ogelbase.tree.scanToEnd',
  retry: 'ogelbase.tree.retry',
  openTable: 'ogelbase.postgres.openTable',
  exportTable: 'ogelbase.postgres.exportTable',
  newQuery: 'ogelbase.postgres.newQuery',
  runSql: 'ogelbase.postgres.run',
  explain: 'ogelbase.postgres.explain',
  explainAnalyze: 'ogelbase.postgres.explainAnalyze',
  cancelQuery: 'ogelbase.postgres.cancel',
  changeDatabase: 'ogelbase.postgres.changeDatabase',
  queryHistory: 'ogelbase.postgres.history',
  backupDatabase: 'ogelbase.backup.create',
  restoreDatabase: 'ogelbase.backup.restore',
  downloadBackup: 'ogelbase.backup.download',
  deleteBackup: 'ogelbase.backup.delete',
  cancelBackup: 'ogelbase.backup.cancel',
  browseDocuments: 'ogelbase.mongodb.browseDocuments',
  openKeyBrowser: 'ogelbase.redis.openKeyBrowser',
  filterKeys: 'ogelbase.redis.filterKeys',
  clearFilter: 'ogelbase.redis.clearFilter',
  copyKeyName: 'ogelbase.redis.copyKeyName',
  copyKeyValue: 'ogelbase.redis.copyValue',
  setKeyTtl: 'ogelbase.redis.setTtl',
  deleteKey: 'ogelbase.redis.deleteKey',
  copyTableName: 'ogelbase.postgres.copyQualifiedName',
  countRows: 'ogelbase.postgres.countRows',
  selectRows: 'ogelbase.postgres.selectRows',
  copyCollectionName: 'ogelbase.mongodb.copyCollectionName',
  countDocuments: 'ogelbase.mongodb.countDocuments',
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];

/** Context keys the extension sets, used in `when` clauses of package.json. */
export const ContextKeys = {
  signedIn: 'ogelbase.signedIn',
  platformCount: 'ogelbase.platformCount',
  /** Some Local Connection exists (the database commands then have something to pick from the palette). */
  hasLocalConnections: 'ogelbase.hasLocalConnections',
  /** "Start Local Platform" runs a server in this window. */
  localPlatformRunning: 'ogelbase.localPlatformRunning',
} as const;
