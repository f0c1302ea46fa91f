import { entitySchemaFor } from '../../src/records/entity-schema.js';
import { productsManifest } from './products.manifest.js';

export const productEntity = entitySchemaFor(productsManifest, [
  { name: 'ix_products_assigned_user', columns: ['assigned_user_id'] },
  { name: 'ix_products_product_name', columns: ['product_name'] },
  { name: 'ix_products_created_by', columns: ['created_by_id'] },
  { name: 'ix_products_modified_by', columns: ['modified_by_id'] },
]);
