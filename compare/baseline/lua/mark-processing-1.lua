--[[
  A consumer starts on a message: PROCESSING, unless the payment is already final (a message
  delivered again after its result was stored, or a payment cancelled before it was taken). Fills the record of a message pushed by an outside
  producer, which has none.

  KEYS[1] the payment's status hash
  ARGV[1] requestId
  ARGV[2] acceptedAt from the message (ISO-8601)
  ARGV[3] fingerprint of the request body
  ARGV[4] startedAt (ISO-8601)

  Returns 1 go ahead and charge; 0 already final, only acknowledge the message
]]
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'SUCCESS' or status == 'FAILED' or status == 'CANCELLED' then return 0 end
redis.call('HSETNX', KEYS[1], 'requestId', ARGV[1])
redis.call('HSETNX', KEYS[1], 'acceptedAt', ARGV[2])
redis.call('HSETNX', KEYS[1], 'fingerprint', ARGV[3])
redis.call('HSETNX', KEYS[1], 'attempts', 0)
redis.call('HSETNX', KEYS[1], 'startedAt', ARGV[4])
redis.call('HSET', KEYS[1], 'status', 'PROCESSING')
return 1
