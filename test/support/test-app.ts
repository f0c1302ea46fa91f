import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import { getDataSourceToken } from '@nestjs/typeorm';
import { createConnection } from 'mysql2/promise';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppConfig, loadConfig } from '../../config/configuration.js';
import { createApp } from '../../src/app-factory.js';
import { LayoutService } from '../../src/layout/layout.service.js';

export const ADMIN_PASSWORD = 'admin-test-password';

export interface TestDatabase {
  /** 'sqlite' or 'mariadb', used in test titles. */
  kind: 'sqlite' | 'mariadb';
  /** The config that points an app at this database. */
  config: AppConfig;
  drop(): Promise<void>;
}

/** Returns the databases every database suite runs on: SQLite always, MariaDB/MySQL when TEST_DATABASE_URL is set. */
export function databaseKinds(): ('sqlite' | 'mariadb')[] {
  return process.env.TEST_DATABASE_URL ? ['sqlite', 'mariadb'] : ['sqlite'];
}

/** Creates an empty database of its own for one test file: a temporary SQLite file, or a new MariaDB schema. */
export async function createTestDatabase(
  kind: 'sqlite' | 'mariadb',
  env: NodeJS.ProcessEnv = {},
): Promise<TestDatabase> {
  const folder = mkdtempSync(join(tmpdir(), 'affari-test-'));
  const base = { ADMIN_PASSWORD, LOG_LEVEL: 'quiet', STORAGE_DIR: join(folder, 'storage'), ...env };

  if (kind === 'sqlite') {
    const config = loadConfig({ ...base, SQLITE_PATH: join(folder, 'test.sqlite') });
    return { kind, config, drop: () => Promise.resolve(rmSync(folder, { recursive: true, force: true })) };
  }

  const serverUrl = new URL(process.env.TEST_DATABASE_URL!.replace(/^mariadb:/, 'mysql:'));
  const name = `affari_test_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection({
    uri: `${serverUrl.protocol}//${serverUrl.username}:${serverUrl.password}@${serverUrl.host}/`,
  });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();

  const url = new URL(serverUrl.toString());
  url.pathname = `/${name}`;
  const config = loadConfig({ ...base, DATABASE_URL: url.toString() });
  return {
    kind,
    config,
    drop: async () => {
      const connection = await createConnection({
        uri: `${serverUrl.protocol}//${serverUrl.username}:${serverUrl.password}@${serverUrl.host}/`,
      });
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.end();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

export interface TestApp {
  app: NestExpressApplication;
  dataSource: DataSource;
  database: TestDatabase;
  close(): Promise<void>;
}

/** Starts the whole application on a new database of the given kind. */
export async function startTestApp(
  kind: 'sqlite' | 'mariadb',
  env: NodeJS.ProcessEnv = {},
): Promise<TestApp> {
  const database = await createTestDatabase(kind, env);
  const app = await createApp(database.config);
  return {
    app,
    dataSource: app.get<DataSource>(getDataSourceToken()),
    database,
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

/**
 * Starts another instance of the application on a database that a running test app already uses, as a
 * second server behind a load balancer would. The caller closes it, and the database stays with its owner.
 */
export function startAppOn(database: TestDatabase): Promise<NestExpressApplication> {
  return createApp(database.config);
}

/** Deletes every record, every group and every user but the administrator, so that each test starts from the same data. */
export async function resetRecords(dataSource: DataSource): Promise<void> {
  for (const table of [
    'record_change_fields',
    'record_changes',
    'record_relations',
    'record_notes',
    'activities',
    'document_versions',
    'documents',
    'quotes',
    'leads',
    'potentials',
    'contacts',
    'accounts',
    'campaigns',
    'products',
    'import_jobs',
    'group_members',
    'user_groups',
  ]) {
    await dataSource.query(`DELETE FROM ${table}`);
  }
  await dataSource.query(`DELETE FROM users WHERE username <> 'admin'`);
  await dataSource.query(`UPDATE record_sequences SET next_value = 1`);
}

/** Returns the CSRF token of the first form on a page. */
export function csrfToken(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('No CSRF token found on the page');
  return match[1];
}

/** Logs in as the given user and returns a supertest agent that keeps the cookies. */
export async function loginAgent(
  app: NestExpressApplication,
  username = 'admin',
  password = ADMIN_PASSWORD,
): Promise<InstanceType<typeof request.agent>> {
  const agent = request.agent(app.getHttpServer());
  const page = await agent.get('/login');
  const response = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfToken(page.text), username, password });
  if (response.status !== 303) throw new Error(`Login as ${username} failed with status ${response.status}`);
  return agent;
}

/** Posts a form with the CSRF token of the page at `formPage`, as a browser would. */
export async function postForm(
  agent: InstanceType<typeof request.agent>,
  formPage: string,
  action: string,
  fields: Record<string, string | string[]>,
) {
  const page = await agent.get(formPage);
  return agent
    .post(action)
    .type('form')
    .send({ _csrf: csrfToken(page.text), ...fields });
}

/**
 * Posts a form as `postForm` does and, when the response is a redirect (post/redirect/get), loads the
 * page it leads to, as a browser would. Returns the POST's response when it is not a redirect.
 */
export async function postFormAndFollow(
  agent: InstanceType<typeof request.agent>,
  formPage: string,
  action: string,
  fields: Record<string, string | string[]>,
) {
  const response = await postForm(agent, formPage, action, fields);
  if (response.status !== 303) return response;
  return agent.get(response.headers.location);
}

/**
 * Empties the stored layouts, their history and the other tables named, and makes the app serve the shipped
 * layouts again. A new version stamp is what another instance would see after a change.
 */
export async function resetLayouts(testApp: TestApp, otherTables: string[] = []): Promise<void> {
  for (const table of [...otherTables, 'layout_fields', 'layout_blocks', 'layout_changes'])
    await testApp.dataSource.query(`DELETE FROM ${table}`);
  await testApp.dataSource.query(`UPDATE app_settings SET value = 'reset' WHERE name = 'layout_version'`);
  await testApp.app.get(LayoutService).refreshIfChanged();
}
