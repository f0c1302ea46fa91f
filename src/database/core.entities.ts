import { Column, DeleteDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { ISession } from 'connect-typeorm';

/** Login sessions, kept in the database so that every instance of the app accepts the same cookie. */
@Entity('sessions')
export class SessionRow implements ISession {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  id!: string;

  @Index('ix_sessions_expired_at')
  @Column({ type: 'bigint' })
  expiredAt!: number;

  @Column({ type: 'text' })
  json!: string;

  @DeleteDateColumn({ type: 'datetime', nullable: true })
  destroyedAt?: Date;
}

/** Settings the app generates and keeps, such as the session secret when none is configured. */
@Entity('app_settings')
export class AppSetting {
  @PrimaryColumn({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'text' })
  value!: string;
}

/** The next record number of each numbered module (POT1, POT2, …). */
@Entity('record_sequences')
export class RecordSequence {
  @PrimaryColumn({ type: 'varchar', length: 50 })
  module!: string;

  @Column({ name: 'next_value', type: 'int' })
  nextValue!: number;
}

/** A picklist whose values were seeded; start-up never seeds it again, so its edited values stay. */
@Entity('picklists')
export class Picklist {
  @PrimaryColumn({ type: 'varchar', length: 50 })
  module!: string;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  field!: string;

  /** Raised by every edit of the picklist. The edit's UPDATE locks the row, so edits of one picklist run one at a time. */
  @Column({ type: 'int' })
  version!: number;
}

/** The values of every picklist, standard or custom, in their order. */
@Entity('picklist_values')
@Index('uq_picklist_values', ['module', 'field', 'value'], { unique: true })
export class PicklistValue {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50 })
  module!: string;

  @Column({ type: 'varchar', length: 64 })
  field!: string;

  @Column({ type: 'varchar', length: 255 })
  value!: string;

  @Column({ name: 'sort_order', type: 'int' })
  sortOrder!: number;

  @Column({ type: 'int', nullable: true })
  probability!: number | null;

  @Column({ type: 'varchar', length: 10, nullable: true })
  outcome!: 'open' | 'won' | 'lost' | null;
}

/** An uploaded CSV file on its way through mapping to the import. */
@Entity('import_jobs')
export class ImportJob {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 50 })
  module!: string;

  @Column({ name: 'user_id', type: 'int' })
  userId!: number;

  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName!: string;

  /** Generated name of the upload inside the storage directory. */
  @Column({ name: 'stored_name', type: 'varchar', length: 100 })
  storedName!: string;

  @Column({ type: 'varchar', length: 20 })
  /** 'expired': the upload was removed before it was imported (ImportFilesCleanup). */
  status!: 'uploaded' | 'running' | 'done' | 'expired';

  /** JSON: delimiter, encoding, number and date formats, mapping, defaults, picklist value mapping. */
  @Column({ type: 'text' })
  settings!: string;

  /** JSON: counts and failed rows, once the import ran. */
  @Column({ type: 'text', nullable: true })
  result!: string | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt!: string;
}
