--[[
  Accepts a payment and appends it to the stream in one step (seed §3.3 producer + idempotency
  check): either its status record and its stream entry both exist, or neither.

  KEYS[1] the payment's status hash      (payment:status:<requestId>)
  KEYS[2] the stream                     (stream:payment)
  ARGV[1] requestId
  ARGV[2] fingerprint of the request body
  ARGV[3] acceptedAt (ISO-8601)
  ARGV[4] the message: QueuedPaymentRequest JSON

  Returns  1 accepted and appended
           0 same key and same body seen before: a replay, nothing appended
          -1 same key, different body
]]
local fingerprint = redis.call('HGET', KEYS[1], 'fingerprint')
if fingerprint then
  if fingerprint == ARGV[2] then return 0 end
  return -1
end
redis.call('HSET', KEYS[1], 'requestId', ARGV[1], 'status', 'PENDING', 'fingerprint', ARGV[2],
  'acceptedAt', ARGV[3], 'attempts', 0)
redis.call('XADD', KEYS[2], '*', 'requestId', ARGV[1], 'payload', ARGV[4])
return 1
