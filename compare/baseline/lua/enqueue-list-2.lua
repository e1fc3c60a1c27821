--[[
  Accepts a payment and queues it in one step (seed §3.2 producer + idempotency check), so a
  payment is never half-accepted: either its status record and its message both exist, or neither.

  KEYS[1] the payment's status hash      (payment:status:<requestId>)
  KEYS[2] the pending list               (queue:payment:pending)
  ARGV[1] requestId
  ARGV[2] fingerprint of the request body
  ARGV[3] acceptedAt (ISO-8601)
  ARGV[4] the message: QueuedPaymentRequest JSON

  Returns  1 accepted and queued
           0 same key and same body seen before: a replay, nothing queued
          -1 same key, different body
]]
local fingerprint = redis.call('HGET', KEYS[1], 'fingerprint')
if fingerprint then
  if fingerprint == ARGV[2] then return 0 end
  return -1
end
redis.call('HSET', KEYS[1], 'requestId', ARGV[1], 'status', 'PENDING', 'fingerprint', ARGV[2],
  'acceptedAt', ARGV[3], 'attempts', 0)
redis.call('LPUSH', KEYS[2], ARGV[4])
return 1
