import { ModuleManifest } from '../../src/records/manifest.js';

/** The folders a fresh install offers; administrators edit the list in the Layout Editor. */
const FOLDERS = ['Default', 'Contracts', 'Proposals', 'Marketing', 'Technical'];

/** Kinds of document: uploaded files with their versions, or a link to a page elsewhere. */
export const DOCUMENT_KINDS = { file: 'File', link: 'Link' } as const;

/** The modules whose records documents attach to, each through a relation of the same name. */
export const DOCUMENT_TARGETS = [
  'leads',
  'accounts',
  'contacts',
  'potentials',
  'products',
  'quotes',
  'campaigns',
] as const;

export const documentsManifest: ModuleManifest = {
  name: 'documents',
  table: 'documents',
  label: 'documents.plural',
  singularLabel: 'documents.singular',
  nameField: 'title',
  numberPrefix: 'DOC',
  blocks: [
    { name: 'info', label: 'documents.blocks.info' },
    { name: 'file', label: 'documents.blocks.file' },
    { name: 'description', label: 'blocks.description' },
    { name: 'system', label: 'blocks.system' },
  ],
  fields: [
    {
      name: 'title',
      type: 'text',
      label: 'documents.fields.title',
      block: 'info',
      required: true,
      searchable: true,
      listColumn: true,
    },
    { name: 'document_no', type: 'recordNumber', label: 'fields.record_number', block: 'info', system: true },
    {
      name: 'folder',
      type: 'picklist',
      label: 'documents.fields.folder',
      block: 'info',
      defaultValue: 'Default',
      filter: true,
      listColumn: true,
      picklistValues: FOLDERS.map((value) => ({ value })),
    },
    {
      name: 'assigned_user_id',
      type: 'owner',
      label: 'fields.assigned_user_id',
      block: 'info',
      required: true,
      filter: true,
      listColumn: true,
    },
    {
      name: 'kind',
      type: 'picklist',
      label: 'documents.fields.kind',
      block: 'file',
      // Set by DocumentsService: File for an upload, Link for a link URL.
      readOnly: true,
      filter: true,
      listColumn: true,
      picklistValues: Object.values(DOCUMENT_KINDS).map((value) => ({ value })),
    },
    {
      name: 'link_url',
      type: 'url',
      label: 'documents.fields.link_url',
      block: 'file',
    },
    { name: 'file_name', type: 'text', label: 'documents.fields.file_name', block: 'file', system: true },
    { name: 'file_size', type: 'integer', label: 'documents.fields.file_size', block: 'file', system: true },
    { name: 'file_type', type: 'text', label: 'documents.fields.file_type', block: 'file', system: true },
    {
      name: 'file_version',
      type: 'integer',
      label: 'documents.fields.file_version',
      block: 'file',
      system: true,
    },
    { name: 'description', type: 'textarea', label: 'fields.description', block: 'description' },
  ],
  defaultSort: { field: 'title', direction: 'asc' },
  relations: DOCUMENT_TARGETS.map((module) => ({ name: module, module })),
};
