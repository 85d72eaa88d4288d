import { SetMetadata } from '@nestjs/common';

export const NO_TRANSACTION_KEY = 'trackbase:no-transaction';

/**
 * For routes that move file bytes (signed local-store URLs, archives): they
 * would otherwise hold a pooled connection for as long as the transfer takes.
 * Such a route gets no `ctx.em` and does its own short transactions.
 */
export const NoTransaction = () => SetMetadata(NO_TRANSACTION_KEY, true);
