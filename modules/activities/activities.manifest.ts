import { ModuleManifest, RelationDefinition } from '../../src/records/manifest.js';

export const ACTIVITY_TYPES = ['Call', 'Meeting', 'Task'] as const;

/**
 * One list of statuses for every type, because a picklist's values do not depend on another field. "Completed"
 * reads right for a call or meeting that was held and for a task that was done, and "Cancelled" for one that
 * did not take place, so vtiger's separate Held / Not Held of events are not needed.
 */
export const ACTIVITY_STATUSES = ['Planned', 'In Progress', 'Completed', 'Cancelled'] as const;

/** The statuses after which an activity no longer waits for anyone: the home page leaves these out. */
export const CLOSED_STATUSES: readonly string[] = ['Completed', 'Cancelled'];

const PRIORITIES = ['High', 'Medium', 'Low'];

/**
 * The modules whose records an activity can be linked to, each through a many-to-many relation of its own.
 * Products are left out: they are the catalogue, and a call about a product belongs to the deal or the customer.
 */
export const ACTIVITY_TARGETS = [
  'leads',
  'accounts',
  'contacts',
  'potentials',
  'quotes',
  'campaigns',
] as const;

const relations: RelationDefinition[] = ACTIVITY_TARGETS.map((module) => ({ name: module, module }));

export const activitiesManifest: ModuleManifest = {
  name: 'activities',
  table: 'activities',
  label: 'activities.plural',
  singularLabel: 'activities.singular',
  nameField: 'subject',
  blocks: [
    { name: 'info', label: 'activities.blocks.info' },
    { name: 'description', label: 'blocks.description' },
    { name: 'system', label: 'blocks.system' },
  ],
  fields: [
    {
      name: 'subject',
      type: 'text',
      label: 'activities.fields.subject',
      block: 'info',
      required: true,
      searchable: true,
      listColumn: true,
    },
    {
      name: 'activity_type',
      type: 'picklist',
      label: 'activities.fields.activity_type',
      block: 'info',
      required: true,
      filter: true,
      listColumn: true,
      quickCreate: true,
      defaultValue: 'Task',
      essentialReason: 'activities.essential.activity_type',
      picklistValues: ACTIVITY_TYPES.map((value) => ({ value })),
    },
    {
      name: 'status',
      type: 'picklist',
      label: 'activities.fields.status',
      block: 'info',
      required: true,
      filter: true,
      listColumn: true,
      quickCreate: true,
      defaultValue: 'Planned',
      essentialReason: 'activities.essential.status',
      picklistValues: ACTIVITY_STATUSES.map((value) => ({ value })),
    },
    {
      name: 'start_date',
      type: 'date',
      label: 'activities.fields.start_date',
      block: 'info',
      filter: true,
      listColumn: true,
      quickCreate: true,
    },
    {
      name: 'start_time',
      type: 'time',
      label: 'activities.fields.start_time',
      block: 'info',
      listColumn: true,
    },
    {
      name: 'duration_minutes',
      type: 'integer',
      label: 'activities.fields.duration_minutes',
      block: 'info',
      min: 0,
      max: 100000,
    },
    {
      name: 'due_date',
      type: 'date',
      label: 'activities.fields.due_date',
      block: 'info',
      filter: true,
      listColumn: true,
      quickCreate: true,
    },
    {
      name: 'priority',
      type: 'picklist',
      label: 'activities.fields.priority',
      block: 'info',
      filter: true,
      defaultValue: 'Medium',
      picklistValues: PRIORITIES.map((value) => ({ value })),
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
    { name: 'description', type: 'textarea', label: 'fields.description', block: 'description' },
  ],
  defaultSort: { field: 'start_date', direction: 'desc' },
  relations,
};
