import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/configuration.js';
import { createApp } from './app-factory.js';
import { checkDatabaseReachable } from './database/check-connection.js';

async function main(): Promise<void> {
  const config = loadConfig();

  if (config.databaseUrl) {
    const problem = await checkDatabaseReachable(config.databaseUrl);
    if (problem) throw new ConfigError(problem);
  }

  const app = await createApp(config);
  app.enableShutdownHooks();
  if (config.host) await app.listen(config.port, config.host);
  else await app.listen(config.port);
  console.log(
    `Affari is running on http://${config.host ?? 'localhost'}:${config.port} (${config.databaseUrl ? 'DATABASE_URL' : `SQLite: ${config.sqlitePath}`})`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`Affari did not start: ${error.message}`);
  else console.error('Affari did not start:', error);
  process.exit(1);
});
