import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/configuration.js';
import { businessModules } from '../modules/index.js';
import { AppModule } from './app.module.js';
import { installSqliteLock } from './database/sqlite-lock.js';
import { configureHttp } from './web/http-setup.js';
import { configureViews } from './web/view-engine.js';

/** Builds the whole application, ready to listen; tests call it with their own configuration. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, businessModules), {
    bodyParser: false,
    logger: config.logLevel === 'quiet' ? ['error', 'warn'] : ['log', 'error', 'warn'],
    abortOnError: false,
  });
  const dataSource = app.get<DataSource>(getDataSourceToken());
  installSqliteLock(dataSource);
  configureViews(app);
  await configureHttp(app, config, dataSource);
  await app.init();
  return app;
}
