import { checkDatabaseReachable } from './check-connection.js';

describe('checkDatabaseReachable', () => {
  it('names DATABASE_URL in one line when the port is closed', async () => {
    const problem = await checkDatabaseReachable('mysql://nobody@127.0.0.1:1/x');

    expect(problem).not.toBeNull();
    expect(problem).toContain('DATABASE_URL');
    expect(problem).toContain('127.0.0.1:1/x');
    expect(problem).toContain('ECONNREFUSED');
    expect(problem).not.toContain('\n');
  });

  it('accepts the mariadb scheme', async () => {
    const problem = await checkDatabaseReachable('mariadb://nobody@127.0.0.1:1/x');

    expect(problem).toContain('DATABASE_URL');
    expect(problem).not.toContain('\n');
  });

  it('keeps the password out of the message', async () => {
    const problem = await checkDatabaseReachable('mysql://nobody:secret-word@127.0.0.1:1/x');

    expect(problem).not.toContain('secret-word');
  });
});
