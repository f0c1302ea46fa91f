import type { EntityManager } from 'typeorm';
import { EventBus, TransactionalEvent } from './event-bus.js';

class SampleEvent implements TransactionalEvent {
  static readonly eventName = 'sample.happened';
  readonly steps: string[] = [];
  constructor(readonly manager: EntityManager) {}
}

const manager = {} as EntityManager;

describe('EventBus', () => {
  it('runs handlers in ascending order whatever the registration order', async () => {
    const bus = new EventBus();
    bus.on(SampleEvent, (event) => void event.steps.push('potentials'), { order: 30, owner: 'potentials' });
    bus.on(SampleEvent, (event) => void event.steps.push('accounts'), { order: 10, owner: 'accounts' });
    bus.on(SampleEvent, (event) => void event.steps.push('contacts'), { order: 20, owner: 'contacts' });
    const event = new SampleEvent(manager);

    await bus.emit(SampleEvent, event);

    expect(event.steps).toEqual(['accounts', 'contacts', 'potentials']);
    expect(bus.handlerOwners(SampleEvent)).toEqual(['accounts', 'contacts', 'potentials']);
  });

  it('waits for each handler before starting the next', async () => {
    const bus = new EventBus();
    bus.on(
      SampleEvent,
      async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        event.steps.push('slow first');
      },
      { order: 1, owner: 'slow' },
    );
    bus.on(SampleEvent, (event) => void event.steps.push('second'), { order: 2, owner: 'fast' });
    const event = new SampleEvent(manager);

    await bus.emit(SampleEvent, event);

    expect(event.steps).toEqual(['slow first', 'second']);
  });

  it('throws the first error and runs no later handler', async () => {
    const bus = new EventBus();
    bus.on(SampleEvent, (event) => void event.steps.push('first'), { order: 1, owner: 'first' });
    bus.on(
      SampleEvent,
      () => {
        throw new Error('handler failed');
      },
      { order: 2, owner: 'failing' },
    );
    bus.on(SampleEvent, (event) => void event.steps.push('third'), { order: 3, owner: 'third' });
    const event = new SampleEvent(manager);

    await expect(bus.emit(SampleEvent, event)).rejects.toThrow('handler failed');
    expect(event.steps).toEqual(['first']);
  });

  it('logs an observer error without throwing it', async () => {
    const bus = new EventBus();
    bus.afterCommit(
      SampleEvent,
      () => {
        throw new Error('observer failed');
      },
      { order: 1, owner: 'failing observer' },
    );
    bus.afterCommit(SampleEvent, (event) => void event.steps.push('observed'), {
      order: 2,
      owner: 'observer',
    });
    const event = new SampleEvent(manager);

    await expect(bus.committed(SampleEvent, event)).resolves.toBeUndefined();
    expect(event.steps).toEqual(['observed']);
  });

  it('runs no observer on emit', async () => {
    const bus = new EventBus();
    bus.afterCommit(SampleEvent, (event) => void event.steps.push('observed'), {
      order: 1,
      owner: 'observer',
    });
    const event = new SampleEvent(manager);

    await bus.emit(SampleEvent, event);

    expect(event.steps).toEqual([]);
  });
});
