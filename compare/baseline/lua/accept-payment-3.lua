--[[
  Accepts a payment: the idempotency check, its status record and (queue modes) its message, in
  one step, so a payment is never half-accepted: the record and the message both exist, or neither.

  KEYS[1] the payment's status hash      (payment:status:<requestId>)
  KEYS[2] where the message goes: the pending list (queue:payment:pending) or the stream
          (stream:payment); untouched when ARGV[5] is "none"
  ARGV[1] requestId
  ARGV[2] fingerprint of the request body
  ARGV[3] acceptedAt (ISO-8601)
  ARGV[4] the message: QueuedPaymentRequest JSON
  ARGV[5] "list" (LPUSH, the study document §3.2), "stream" (XADD, the study document §3.3)
          or "none" (semaphore-only: the caller charges it inside the request)
  KEYS[3] the merchant's payments (sorted set: requestId scored by its place in the merchant's
          order of acceptance, 1, 2, 3…), for GET /payments
  ARGV[6] merchantId: the merchant whose payment it is
  ARGV[7] orderId   ARGV[8] amount (minor units): what the merchant's list shows

  Returns  1 accepted (and queued)
           0 same key and same body seen before: a replay, nothing queued
          -1 same key, different body
]]
local fingerprint = redis.call('HGET', KEYS[1], 'fingerprint')
if fingerprint then
  if fingerprint == ARGV[2] then return 0 end
  return -1
end
redis.call('HSET', KEYS[1], 'requestId', ARGV[1], 'status', 'PENDING', 'fingerprint', ARGV[2],
  'acceptedAt', ARGV[3], 'attempts', 0, 'merchantId', ARGV[6], 'orderId', ARGV[7], 'amount', ARGV[8])
local top = redis.call('ZREVRANGE', KEYS[3], 0, 0, 'WITHSCORES')
redis.call('ZADD', KEYS[3], (tonumber(top[2]) or 0) + 1, ARGV[1])
if ARGV[5] == 'list' then
  redis.call('LPUSH', KEYS[2], ARGV[4])
elseif ARGV[5] == 'stream' then
  redis.call('XADD', KEYS[2], '*', 'requestId', ARGV[1], 'payload', ARGV[4])
end
return 1
