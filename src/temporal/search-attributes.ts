/**
 * The payment workflow's search attributes, so an operator finds a merchant's payments in the Web
 * UI and with `temporal workflow list --query 'MerchantId="shop-a" AND PaymentStatus="FAILED"'`.
 * Set at the start, PaymentStatus kept current by the workflow. Runs in the workflow sandbox too.
 */
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';
import type { PaymentStatus, QueuedPaymentRequest } from '../contract/payment';

export const MerchantIdAttribute = defineSearchAttributeKey('MerchantId', SearchAttributeType.KEYWORD);
export const OrderIdAttribute = defineSearchAttributeKey('OrderId', SearchAttributeType.KEYWORD);
export const PaymentStatusAttribute = defineSearchAttributeKey('PaymentStatus', SearchAttributeType.KEYWORD);
export const AmountMinorAttribute = defineSearchAttributeKey('AmountMinor', SearchAttributeType.INT);

/** Every attribute, for the servers that register them (name and the CLI's type name). */
export const PAYMENT_SEARCH_ATTRIBUTES = [
  MerchantIdAttribute,
  OrderIdAttribute,
  PaymentStatusAttribute,
  AmountMinorAttribute,
] as const;

/** The attributes a payment's workflow starts with. */
export function searchAttributesOf(payment: QueuedPaymentRequest, status: PaymentStatus = 'PENDING') {
  return [
    { key: MerchantIdAttribute, value: payment.merchantId },
    { key: OrderIdAttribute, value: payment.request.orderId },
    { key: PaymentStatusAttribute, value: status },
    { key: AmountMinorAttribute, value: payment.request.amount },
  ];
}
