/**
 * A merchant's payments from Temporal's visibility store: the workflows whose MerchantId search
 * attribute is the caller's, filtered by PaymentStatus and OrderId, paged by the server's own page
 * token. Every value in the query comes from a validated pattern (ids, an enum), so none can
 * change its meaning. The SQL visibility stores list running workflows first, then closed ones by
 * close time, newest first: for payments that end within seconds, close order is accept order.
 */
import { createHash } from 'node:crypto';
import type { Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import {
  PAYMENT_STATUSES,
  type PaymentListItem,
  type PaymentListPage,
  type PaymentListQuery,
  type PaymentStatus,
} from '../contract/payment';
import {
  AmountMinorAttribute,
  MerchantIdAttribute,
  OrderIdAttribute,
  PaymentStatusAttribute,
} from './search-attributes';

type Execution = temporal.api.workflow.v1.IWorkflowExecutionInfo;

/** Thrown for a cursor that is not one this list handed to this merchant. */
export class UnknownCursor extends Error {}

/**
 * The server's page token, with a check tied to the merchant: the server retries a token it cannot
 * read until the call's deadline, so a garbled or another merchant's cursor is refused here first.
 */
const checkOf = (merchantId: string, token: Uint8Array) =>
  createHash('sha256').update(merchantId).update('\n').update(token).digest('base64url').slice(0, 16);

const cursorOf = (merchantId: string, token: Uint8Array) =>
  `${Buffer.from(token).toString('base64url')}.${checkOf(merchantId, token)}`;

function tokenOf(merchantId: string, cursor: string): Buffer {
  const at = cursor.lastIndexOf('.');
  const token = Buffer.from(cursor.slice(0, Math.max(at, 0)), 'base64url');
  if (at <= 0 || checkOf(merchantId, token) !== cursor.slice(at + 1)) throw new UnknownCursor();
  return token;
}

export function visibilityQueryOf(query: PaymentListQuery): string {
  const clauses = [`${MerchantIdAttribute.name}="${query.merchantId}"`];
  if (query.status) clauses.push(`${PaymentStatusAttribute.name}="${query.status}"`);
  if (query.orderId) clauses.push(`${OrderIdAttribute.name}="${query.orderId}"`);
  return clauses.join(' AND ');
}

function itemOf(execution: Execution): PaymentListItem {
  const fields = execution.searchAttributes?.indexedFields ?? {};
  const read = (name: string): unknown => {
    const payload = fields[name];
    return payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
  };
  const text = (name: string): string => {
    const value = read(name);
    return typeof value === 'string' ? value : '';
  };
  const status = text(PaymentStatusAttribute.name);
  const started = execution.startTime?.seconds
    ? new Date(Number(execution.startTime.seconds) * 1000 + Math.floor((execution.startTime.nanos ?? 0) / 1e6))
    : undefined;
  return {
    requestId: execution.execution?.workflowId ?? '',
    orderId: text(OrderIdAttribute.name),
    amount: Number(read(AmountMinorAttribute.name) ?? 0),
    status: (PAYMENT_STATUSES as readonly string[]).includes(status) ? (status as PaymentStatus) : 'PENDING',
    acceptedAt: started?.toISOString() ?? '',
  };
}

export async function listFromVisibility(
  connection: Connection,
  namespace: string,
  query: PaymentListQuery,
): Promise<PaymentListPage> {
  const answer = await connection.workflowService.listWorkflowExecutions({
    namespace,
    query: visibilityQueryOf(query),
    pageSize: query.limit,
    nextPageToken: query.cursor ? tokenOf(query.merchantId, query.cursor) : undefined,
  });
  const token = answer.nextPageToken;
  return {
    payments: (answer.executions ?? []).map(itemOf),
    ...(token && token.length > 0 ? { nextCursor: cursorOf(query.merchantId, token) } : {}),
  };
}
