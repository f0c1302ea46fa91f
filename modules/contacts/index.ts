import { BusinessModule } from '../../src/records/business-module.js';
import { contactEntity } from './contact.entity.js';
import { contactsManifest } from './contacts.manifest.js';
import { ContactsModule } from './contacts.module.js';
import { ContactsEmailKey1765000041000 } from './migrations/1765000041000-contacts-email-key.js';
import { ContactsTable1765000001000 } from './migrations/1765000001000-contacts-table.js';
import { ContactsRecordVersion1765400052000 } from './migrations/1765400052000-contacts-record-version.js';

export const contactsModule: BusinessModule = {
  manifest: contactsManifest,
  entity: contactEntity,
  migrations: [ContactsTable1765000001000, ContactsEmailKey1765000041000, ContactsRecordVersion1765400052000],
  nestModule: ContactsModule,
};
