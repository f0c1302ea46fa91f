import { Module } from '@nestjs/common';
import { LayoutModule } from '../../src/layout/layout.module.js';
import { ProductTaxClasses } from './product-tax-classes.js';
import { ProductsController } from './products.controller.js';

@Module({ imports: [LayoutModule], controllers: [ProductsController], providers: [ProductTaxClasses] })
export class ProductsModule {}
