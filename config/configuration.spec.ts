import { ConfigError, loadConfig } from './configuration.js';

/** Returns the ConfigError message that loadConfig throws for the environment. */
function configErrorOf(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env, '/srv/affari');
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('uses defaults for an empty environment', () => {
    const config = loadConfig({}, '/srv/affari');

    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.sqlitePath).toBe('/srv/affari/data/affari.sqlite');
    expect(config.importMaxBytes).toBe(20 * 1024 * 1024);
    expect(config.documentMaxBytes).toBe(25 * 1024 * 1024);
    expect(config.documentMaxFiles).toBe(10);
  });

  it('reads a valid PORT and DATABASE_URL', () => {
    const config = loadConfig(
      { PORT: '3210', DATABASE_URL: ' mariadb://user:pw@127.0.0.1:3306/affari ' },
      '/srv/affari',
    );

    expect(config.port).toBe(3210);
    expect(config.databaseUrl).toBe('mariadb://user:pw@127.0.0.1:3306/affari');
  });

  it.each(['abc', '0', '65536', '-1', '80.5', '3000x', ' '])('rejects PORT=%p', (port) => {
    const message = configErrorOf({ PORT: port });

    expect(message).toContain('PORT');
    expect(message).toContain('1 to 65535');
    expect(message).toContain(`"${port}"`);
  });

  it.each([
    'postgres://user@127.0.0.1/affari',
    'sqlite:///tmp/affari.sqlite',
    'https://db.example.com',
    '127.0.0.1:3306/affari',
  ])('rejects DATABASE_URL=%p', (url) => {
    const message = configErrorOf({ DATABASE_URL: url });

    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('mysql://');
    expect(message).toContain('mariadb://');
  });

  it('reads HOST, and listens everywhere without it', () => {
    expect(loadConfig({ HOST: ' 127.0.0.1 ' }, '/srv/affari').host).toBe('127.0.0.1');
    expect(loadConfig({}, '/srv/affari').host).toBeUndefined();
  });

  it('rejects an IMPORT_MAX_MB that is not a whole number', () => {
    expect(configErrorOf({ IMPORT_MAX_MB: '1.5' })).toContain('IMPORT_MAX_MB');
  });

  it('reads the document upload limits', () => {
    const config = loadConfig({ DOCUMENT_MAX_MB: '5', DOCUMENT_MAX_FILES: '3' }, '/srv/affari');

    expect(config.documentMaxBytes).toBe(5 * 1024 * 1024);
    expect(config.documentMaxFiles).toBe(3);
  });

  it('rejects a DOCUMENT_MAX_FILES of 0', () => {
    expect(configErrorOf({ DOCUMENT_MAX_FILES: '0' })).toContain('DOCUMENT_MAX_FILES');
  });
});
