import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'isPublic';

/** Marks a route that needs no login (the login page, static files). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
