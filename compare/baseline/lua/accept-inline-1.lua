--[[
  semaphore-only: records a payment about to be charged inside its HTTP request, unless its key
  was seen before.

  KEYS[1] the payment's status hash      (payment:status:<requestId>)
  ARGV[1] requestId
  ARGV[2] fingerprint of the request body
  ARGV[3] acceptedAt (ISO-8601)

  Returns  1 recorded, the caller charges it
           0 same key and same body seen before: a replay
          -1 same key, different body
]]
local fingerprint = redis.call('HGET', KEYS[1], 'fingerprint')
if fingerprint then
  if fingerprint == ARGV[2] then return 0 end
  return -1
end
redis.call('HSET', KEYS[1], 'requestId', ARGV[1], 'status', 'PENDING', 'fingerprint', ARGV[2],
  'acceptedAt', ARGV[3], 'attempts', 0)
return 1
