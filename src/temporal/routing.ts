/**
 * Whose a payment is and which PG it goes to. Apart from the PGS_FILE reader so the workflow
 * bundle can import it: no Node built-ins here.
 */

/** The PG of a payment that names none (a merchant without `pg`, or an outside producer's message). */
export const DEFAULT_PG = 'pg-main';

/** The merchant of a payment that names none (an outside producer's message). */
export const DEFAULT_MERCHANT = 'default';

/** A PG name is also a task-queue suffix and a Redis key part: no dots, colons or spaces. */
export const PG_NAME_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export const pgOfPayment = (payment: { pg?: string }): string => payment.pg || DEFAULT_PG;

export const merchantOfPayment = (payment: { merchantId?: string }): string => payment.merchantId || DEFAULT_MERCHANT;
