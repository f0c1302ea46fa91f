import { createConnection } from 'mysql2/promise';

/**
 * Connects once to DATABASE_URL before the app starts, so that an unreachable server ends start-up with
 * one line that says what to check rather than a stack trace.
 */
export async function checkDatabaseReachable(databaseUrl: string): Promise<string | null> {
  const url = new URL(databaseUrl.replace(/^mariadb:/, 'mysql:'));
  const where = `${url.hostname}:${url.port || 3306}${url.pathname}`;
  try {
    const connection = await createConnection({ uri: url.toString(), connectTimeout: 10000 });
    await connection.end();
    return null;
  } catch (error) {
    const reason = (error as { code?: string; message?: string }).code ?? (error as Error).message;
    return `Cannot connect to the database in DATABASE_URL (${where}): ${reason}. Check that the server is running and that the user, password and database name are right.`;
  }
}
