import { Injectable } from '@nestjs/common';
import type { CurrentUser } from '../access/current-user.js';
import type { UserPermissions } from '../access/permissions.service.js';

/** A section of the home page: a partial of modules/<module>/views/partials (`<module>-<file>`) with its model. */
export interface HomeSection {
  partial: string;
  model: Record<string, unknown>;
}

/** Builds one module's section of a user's home page, or undefined when it has nothing for this user. */
export type HomeSectionBuilder = (
  user: CurrentUser,
  permissions: UserPermissions,
) => Promise<HomeSection | undefined>;

/**
 * The sections business modules add to the home page, such as the user's tasks due today. A module registers
 * its builder in onModuleInit, because the core imports no business module.
 */
@Injectable()
export class HomeSections {
  private readonly builders: { owner: string; build: HomeSectionBuilder }[] = [];

  register(owner: string, build: HomeSectionBuilder): void {
    this.builders.push({ owner, build });
  }

  /** Returns the sections for the user, in the order their modules registered them. */
  async sectionsFor(user: CurrentUser, permissions: UserPermissions): Promise<HomeSection[]> {
    const sections: HomeSection[] = [];
    for (const { build } of this.builders) {
      const section = await build(user, permissions);
      if (section) sections.push(section);
    }
    return sections;
  }
}
