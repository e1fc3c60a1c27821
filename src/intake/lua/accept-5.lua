--[[
  Accepts a payment into the intake: its status record and its entry in its merchant's intake
  stream for its PG in one step, so a payment is either wholly accepted or not at all. One order
  of a merchant has one live or successful payment at a time: another key for it is refused, and
  after a FAILED or CANCELLED one a new attempt must say so.
  KEYS[1] the payment's record (hash)   KEYS[2] its intake stream   KEYS[3] the counts (hash)
  KEYS[4] the merchant's order (string: the requestId of its latest payment)
  KEYS[5] the intakes (hash: stream key -> JSON {pg, merchant, weight}), which the starter serves
  ARGV[1] requestId   ARGV[2] fingerprint   ARGV[3] acceptedAt (ISO)   ARGV[4] the payment (JSON)
  ARGV[5] merchantId: whose payment it is (a status read by another merchant answers 404)
  ARGV[6] '1' when the request is a deliberate new attempt after a FAILED or CANCELLED payment
  ARGV[7] the record key's prefix, to read the order's latest payment (same Redis, one slot)
  ARGV[8] its PG   ARGV[9] the intake's JSON for KEYS[5] (the merchant's weight as of now)
  Returns 'created', 'replay' (same key, same body), 'conflict' (same key, another body), or
  'order:<status>:<requestId>' naming the order's payment that refuses this one.
]]
local fingerprint = redis.call('HGET', KEYS[1], 'fingerprint')
if fingerprint then
  if fingerprint == ARGV[2] then return 'replay' end
  return 'conflict'
end
local latest = redis.call('GET', KEYS[4])
if latest and latest ~= ARGV[1] then
  local status = redis.call('HGET', ARGV[7] .. latest, 'status')
  if status and (ARGV[6] ~= '1' or not (status == 'FAILED' or status == 'CANCELLED')) then
    return 'order:' .. status .. ':' .. latest
  end
end
redis.call('SET', KEYS[4], ARGV[1])
redis.call('HSET', KEYS[1], 'requestId', ARGV[1], 'fingerprint', ARGV[2], 'status', 'PENDING',
  'attempts', 0, 'acceptedAt', ARGV[3], 'merchantId', ARGV[5], 'pg', ARGV[8])
redis.call('XADD', KEYS[2], '*', 'payment', ARGV[4])
redis.call('HSET', KEYS[5], KEYS[2], ARGV[9])
redis.call('HINCRBY', KEYS[3], 'accepted', 1)
return 'created'
