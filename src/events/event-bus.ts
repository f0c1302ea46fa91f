import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/**
 * An event that changes data: it carries the transaction of the operation that emits it, and every handler
 * writes through that transaction's manager, so that the operation and its handlers commit or roll back
 * together.
 */
export interface TransactionalEvent {
  readonly manager: EntityManager;
}

/** The class of an event, which names it: `static readonly eventName = 'lead.converted'`. */
export interface EventType<E> {
  readonly eventName: string;
  readonly prototype: E;
}

export type EventHandler<E> = (event: E) => Promise<void> | void;

interface Registration {
  handler: EventHandler<never>;
  order: number;
  owner: string;
}

/**
 * The typed event bus of docs/decisions/0016. Handlers run one after the other, in ascending `order`, and
 * the first error stops the emission and reaches the emitter, which rolls its transaction back. Observers
 * run after the emitter's commit, and their errors are logged and change nothing.
 */
@Injectable()
export class EventBus {
  private readonly logger = new Logger(EventBus.name);
  private readonly handlers = new Map<string, Registration[]>();
  private readonly observers = new Map<string, Registration[]>();

  /** Registers a handler that runs inside the emitter's transaction. `owner` names it in logs. */
  on<E extends TransactionalEvent>(
    type: EventType<E>,
    handler: EventHandler<E>,
    options: { order: number; owner: string },
  ): void {
    this.register(this.handlers, type.eventName, handler, options);
  }

  /** Registers an observer that runs after the emitter committed, outside its transaction. */
  afterCommit<E>(
    type: EventType<E>,
    handler: EventHandler<E>,
    options: { order: number; owner: string },
  ): void {
    this.register(this.observers, type.eventName, handler, options);
  }

  /** Runs the event's handlers in order. The first handler's error is thrown, and none of the rest runs. */
  async emit<E extends TransactionalEvent>(type: EventType<E>, event: E): Promise<void> {
    for (const registration of this.handlers.get(type.eventName) ?? []) {
      try {
        await (registration.handler as EventHandler<E>)(event);
      } catch (error) {
        this.logger.warn(`${registration.owner} failed on ${type.eventName}: ${String(error)}`);
        throw error;
      }
    }
  }

  /** Tells the observers that the emitter committed. An observer's error is logged, never thrown. */
  async committed<E>(type: EventType<E>, event: E): Promise<void> {
    for (const registration of this.observers.get(type.eventName) ?? []) {
      try {
        await (registration.handler as EventHandler<E>)(event);
      } catch (error) {
        this.logger.error(`${registration.owner} failed to observe ${type.eventName}: ${String(error)}`);
      }
    }
  }

  /** Returns the owners of the event's handlers in the order they run, for tests and diagnostics. */
  handlerOwners(type: EventType<unknown>): string[] {
    return (this.handlers.get(type.eventName) ?? []).map((registration) => registration.owner);
  }

  private register<E>(
    registry: Map<string, Registration[]>,
    name: string,
    handler: EventHandler<E>,
    options: { order: number; owner: string },
  ): void {
    const list = registry.get(name) ?? [];
    list.push({ handler, ...options });
    list.sort((a, b) => a.order - b.order);
    registry.set(name, list);
  }
}
