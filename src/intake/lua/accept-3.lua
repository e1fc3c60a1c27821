--[[
  Accepts a payment into the intake: its status record and its intake-stream entry in one step,
  so a payment is either wholly accepted or not at all.
  KEYS[1] the payment's record (hash)   KEYS[2] the intake stream   KEYS[3] the counts (hash)
  ARGV[1] requestId   ARGV[2] fingerprint   ARGV[3] acceptedAt (ISO)   ARGV[4] the payment (JSON)
  ARGV[5] merchantId: whose payment it is (a status read by another merchant answers 404)
  Returns 'created', 'replay' (same key, same body) or 'conflict' (same key, another body).
]]
local fingerprint = redis.call('HGET', KEYS[1], 'fingerprint')
if fingerprint then
  if fingerprint == ARGV[2] then return 'replay' end
  return 'conflict'
end
redis.call('HSET', KEYS[1], 'requestId', ARGV[1], 'fingerprint', ARGV[2], 'status', 'PENDING',
  'attempts', 0, 'acceptedAt', ARGV[3], 'merchantId', ARGV[5])
redis.call('XADD', KEYS[2], '*', 'payment', ARGV[4])
redis.call('HINCRBY', KEYS[3], 'accepted', 1)
return 'created'
