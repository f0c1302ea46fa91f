import { isAbsolute, resolve } from 'node:path';

/** Settings of one running instance, read from the environment once at start-up. */
export interface AppConfig {
  port: number;
  /** The address to listen on; unset listens on every interface, as Node does by default. */
  host: string | undefined;
  /** Absent means the embedded SQLite file `sqlitePath`. */
  databaseUrl: string | undefined;
  sqlitePath: string;
  /**
   * Signs session cookies and CSRF tokens. When unset, a secret generated on the first start is kept in
   * the database, so restarts and other instances on the same database accept the same cookies.
   */
  sessionSecret: string | undefined;
  adminPassword: string | undefined;
  /** Folder for uploaded files, outside anything the app serves as static files. */
  storageDir: string;
  importMaxBytes: number;
  /** The largest file a document upload accepts, in bytes (DOCUMENT_MAX_MB). */
  documentMaxBytes: number;
  /** The number of files one document upload accepts (DOCUMENT_MAX_FILES). */
  documentMaxFiles: number;
  /** Days an import's files (an upload never imported, the failed rows) are kept. */
  importKeepDays: number;
  /** Whether cookies are sent over HTTPS only. */
  secureCookies: boolean;
  logLevel: 'quiet' | 'normal';
  /** The Chromium executable that renders quotes as PDF. PDFs are offered only when this file exists. */
  chromiumPath: string;
}

export class ConfigError extends Error {}

function readInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;

  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}".`);
  }
  return Number(raw);
}

function readDatabaseUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.DATABASE_URL?.trim();
  if (!raw) return undefined;

  if (!/^(mysql|mariadb):\/\//.test(raw)) {
    throw new ConfigError(
      'DATABASE_URL must start with mysql:// or mariadb:// (for example mysql://user:password@127.0.0.1:3306/affari); leave it unset to use the embedded SQLite database.',
    );
  }
  return raw;
}

/** Reads and validates the environment. Throws ConfigError with a message that names the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, root = process.cwd()): AppConfig {
  const dataDir = resolve(root, 'data');
  const storageDir = env.STORAGE_DIR ? resolve(root, env.STORAGE_DIR) : resolve(root, 'storage');
  const sqlitePath = env.SQLITE_PATH
    ? isAbsolute(env.SQLITE_PATH)
      ? env.SQLITE_PATH
      : resolve(root, env.SQLITE_PATH)
    : resolve(dataDir, 'affari.sqlite');

  return {
    port: readInteger(env, 'PORT', 3000, 1, 65535),
    host: env.HOST?.trim() || undefined,
    databaseUrl: readDatabaseUrl(env),
    sqlitePath,
    sessionSecret: env.SESSION_SECRET || undefined,
    adminPassword: env.ADMIN_PASSWORD || undefined,
    storageDir,
    importMaxBytes: readInteger(env, 'IMPORT_MAX_MB', 20, 1, 1024) * 1024 * 1024,
    documentMaxBytes: readInteger(env, 'DOCUMENT_MAX_MB', 25, 1, 1024) * 1024 * 1024,
    documentMaxFiles: readInteger(env, 'DOCUMENT_MAX_FILES', 10, 1, 100),
    importKeepDays: readInteger(env, 'IMPORT_KEEP_DAYS', 7, 1, 3650),
    secureCookies: env.SECURE_COOKIES === 'true',
    logLevel: env.LOG_LEVEL === 'quiet' ? 'quiet' : 'normal',
    chromiumPath: env.CHROMIUM_PATH?.trim() || '/usr/bin/chromium',
  };
}
