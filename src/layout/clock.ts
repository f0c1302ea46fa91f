import { Injectable } from '@nestjs/common';

/** The current time, as a provider so that tests can move it forward, such as past a grace period. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
