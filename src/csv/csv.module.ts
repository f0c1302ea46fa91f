import { Module } from '@nestjs/common';

/** CSV import and export of every module, driven by the field registry. */
@Module({})
export class CsvModule {}
