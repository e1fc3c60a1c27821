--[[
  stream: an entry delivered too many times moves to the dead-letter stream; its payment ends
  FAILED (unless already final) and the entry leaves the group's pending list.

  KEYS[1] the stream                     (stream:payment)
  KEYS[2] the dead-letter stream         (stream:payment:dead)
  KEYS[3] the payment's status hash (may be absent for an unreadable entry)
  ARGV[1] the consumer group
  ARGV[2] the entry id
  ARGV[3] the entry's payload (as read)
  ARGV[4] deliveries so far
  ARGV[5] completedAt (ISO-8601)

  Returns 1
]]
redis.call('XADD', KEYS[2], '*', 'entryId', ARGV[2], 'payload', ARGV[3], 'deliveries', ARGV[4])
local status = redis.call('HGET', KEYS[3], 'status')
if status and status ~= 'SUCCESS' and status ~= 'FAILED' then
  redis.call('HSET', KEYS[3], 'status', 'FAILED', 'error', 'dead_lettered', 'completedAt', ARGV[5])
end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
