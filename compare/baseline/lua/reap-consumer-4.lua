--[[
  list-reliable: returns the messages of a consumer whose heartbeat expired to the pending list,
  at the end consumers take from next, oldest first, and forgets the consumer.

  KEYS[1] the consumer's heartbeat key   (consumer:heartbeat:<consumerId>)
  KEYS[2] the consumer's processing list (queue:payment:processing:<consumerId>)
  KEYS[3] the pending list               (queue:payment:pending)
  KEYS[4] the set of known consumers     (queue:payment:consumers)
  ARGV[1] consumerId
  ARGV[2] "force" to reap even with a live heartbeat (a consumer restarting under its own id)

  Returns the number of messages re-queued, or -1 when the consumer is alive
]]
if ARGV[2] ~= 'force' and redis.call('EXISTS', KEYS[1]) == 1 then return -1 end
local moved = 0
while redis.call('LMOVE', KEYS[2], KEYS[3], 'LEFT', 'RIGHT') do
  moved = moved + 1
end
if ARGV[2] ~= 'force' then redis.call('SREM', KEYS[4], ARGV[1]) end
return moved
