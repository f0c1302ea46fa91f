import { AdminArea, FieldAccess, ModuleAction } from '../profiles/profile.entity.js';
import { UserPermissions } from './permissions.service.js';

const MODULES = ['potentials', 'accounts'];

/** Permissions with the given actions on potentials (accounts fully allowed), amount access and areas. */
function permissions(options: {
  potentials?: ModuleAction[];
  amount?: FieldAccess;
  areas?: AdminArea[];
}): UserPermissions {
  const actions = new Map<string, Set<ModuleAction>>();
  if (options.potentials) actions.set('potentials', new Set(options.potentials));
  const fields = new Map<string, Map<string, FieldAccess>>();
  if (options.amount) fields.set('potentials', new Map([['amount', options.amount]]));
  return new UserPermissions(actions, fields, true, new Set(options.areas ?? []));
}

describe('UserPermissions.excessOver', () => {
  const bound = permissions({ potentials: ['view', 'edit'], amount: 'readonly', areas: ['users'] });

  it('returns nothing for the same or fewer rights', () => {
    expect(bound.excessOver(bound, MODULES)).toEqual([]);
    expect(permissions({ potentials: ['view'], amount: 'hidden' }).excessOver(bound, MODULES)).toEqual([]);
  });

  it('lists an administration area the bound lacks', () => {
    const layout = permissions({ potentials: ['view'], amount: 'readonly', areas: ['layout'] });

    expect(layout.excessOver(bound, MODULES)).toEqual([{ kind: 'area', area: 'layout' }]);
  });

  it('lists an action the bound lacks, also on a module without rows', () => {
    const everything = permissions({ amount: 'readonly' });

    expect(everything.excessOver(bound, MODULES)).toEqual([
      { kind: 'action', module: 'potentials', action: 'create' },
      { kind: 'action', module: 'potentials', action: 'delete' },
      { kind: 'action', module: 'potentials', action: 'import' },
      { kind: 'action', module: 'potentials', action: 'export' },
    ]);
  });

  it('lists a field the bound restricts more', () => {
    const visible = permissions({ potentials: ['view'] });
    const hiddenBound = permissions({ potentials: ['view'], amount: 'hidden' });
    const readOnly = permissions({ potentials: ['view'], amount: 'readonly' });

    expect(visible.excessOver(bound, MODULES)).toEqual([
      { kind: 'field', module: 'potentials', field: 'amount', access: 'readonly' },
    ]);
    expect(readOnly.excessOver(hiddenBound, MODULES)).toEqual([
      { kind: 'field', module: 'potentials', field: 'amount', access: 'hidden' },
    ]);
  });

  it('compares with unrestricted and empty permissions', () => {
    const none = new UserPermissions(new Map(), new Map(), false, new Set());

    expect(
      permissions({ areas: ['users', 'layout'] }).excessOver(UserPermissions.unrestricted(), MODULES),
    ).toEqual([]);
    expect(none.excessOver(bound, MODULES)).toEqual([]);
    expect(UserPermissions.unrestricted().excessOver(none, MODULES)).toHaveLength(2 + MODULES.length * 6);
  });
});

describe('UserPermissions with fields read-only for everybody', () => {
  const readOnlyForAll = new Map([['potentials', new Set(['amount'])]]);
  const bound = new UserPermissions(
    null,
    new Map([['potentials', new Map<string, FieldAccess>([['amount', 'readonly']])]]),
    true,
    null,
    readOnlyForAll,
  );

  it('counts no excess for leaving them editable', () => {
    expect(permissions({}).excessOver(bound, MODULES)).toEqual([]);
  });

  it('still counts a field the bound hides', () => {
    const hiding = new UserPermissions(
      null,
      new Map([['potentials', new Map<string, FieldAccess>([['amount', 'hidden']])]]),
      true,
      null,
      readOnlyForAll,
    );

    expect(permissions({}).excessOver(hiding, MODULES)).toEqual([
      { kind: 'field', module: 'potentials', field: 'amount', access: 'hidden' },
    ]);
  });
});
