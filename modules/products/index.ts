import { BusinessModule } from '../../src/records/business-module.js';
import { productEntity } from './product.entity.js';
import { productsManifest } from './products.manifest.js';
import { ProductsModule } from './products.module.js';
import { ProductsTable1765100000000 } from './migrations/1765100000000-products-table.js';
import { ProductsRecordVersion1765400055000 } from './migrations/1765400055000-products-record-version.js';

export const productsModule: BusinessModule = {
  manifest: productsManifest,
  entity: productEntity,
  migrations: [ProductsTable1765100000000, ProductsRecordVersion1765400055000],
  nestModule: ProductsModule,
};
