--[[
  Accepts a payment into the intake: its status record and its entry in its merchant's intake
  stream for its PG in one step, so a payment is either wholly accepted or not at all.
  KEYS[1] the payment's record (hash)   KEYS[2] its intake stream   KEYS[3] the counts (hash)
  KEYS[4] the intakes (hash: stream key -> JSON {pg, merchant, weight}), which the starter serves
  ARGV[1] requestId   ARGV[2] fingerprint   ARGV[3] acceptedAt (ISO)   ARGV[4] the payment (JSON)
  ARGV[5] its PG   ARGV[6] the intake's JSON for KEYS[4] (the merchant's weight as of now)
  Returns 'created', 'replay' (same key, same body) or 'conflict' (same key, another body).
]]
local fingerprint = redis.call('HGET', KEYS[1], 'fingerprint')
if fingerprint then
  if fingerprint == ARGV[2] then return 'replay' end
  return 'conflict'
end
redis.call('HSET', KEYS[1], 'requestId', ARGV[1], 'fingerprint', ARGV[2], 'status', 'PENDING',
  'attempts', 0, 'acceptedAt', ARGV[3], 'pg', ARGV[5])
redis.call('XADD', KEYS[2], '*', 'payment', ARGV[4])
redis.call('HSET', KEYS[4], KEYS[2], ARGV[6])
redis.call('HINCRBY', KEYS[3], 'accepted', 1)
return 'created'
