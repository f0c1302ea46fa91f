import { Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

const logger = new Logger('Transaction');

/** MariaDB/MySQL error numbers after which the whole transaction may simply be tried again. */
const RETRYABLE_ERRNO = new Set([
  1213, // ER_LOCK_DEADLOCK
  1205, // ER_LOCK_WAIT_TIMEOUT
  4012, // Galera certification failure (WSREP_CONFLICT) as reported by some versions
]);

function isRetryable(error: unknown): boolean {
  const errno = (error as { errno?: number; driverError?: { errno?: number } }).driverError?.errno;
  return errno !== undefined && RETRYABLE_ERRNO.has(errno);
}

/** Runs `work` in a transaction, and runs it again (up to 3 times) when the database reports a deadlock. */
export async function inTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await dataSource.transaction(work);
    } catch (error) {
      if (attempt >= 3 || !isRetryable(error)) throw error;
      logger.warn(
        `Transaction failed on attempt ${attempt} with a deadlock or conflict, retrying: ${String(error)}`,
      );
    }
  }
}
