import { EntitySchema } from 'typeorm';

/**
 * Organisation-wide sharing of a module's records, as in vtenext. Private: a user sees the records
 * assigned to them and to users in roles below theirs. The public levels open reading, then editing,
 * then deleting, of every record of the module to every user.
 */
export type SharingLevel = 'private' | 'public_read' | 'public_read_write' | 'public_read_write_delete';
export const SHARING_LEVELS: SharingLevel[] = [
  'private',
  'public_read',
  'public_read_write',
  'public_read_write_delete',
];

/** The level of a module that no administrator has set; it keeps every record open, as before roles existed. */
export const DEFAULT_SHARING_LEVEL: SharingLevel = 'public_read_write_delete';

export interface SharingSetting {
  module: string;
  level: SharingLevel;
}

export const SharingSettingEntity = new EntitySchema<SharingSetting>({
  name: 'SharingSetting',
  tableName: 'sharing_settings',
  columns: {
    module: { type: 'varchar', length: 50, primary: true },
    level: { type: 'varchar', length: 30 },
  },
});
