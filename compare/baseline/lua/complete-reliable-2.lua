--[[
  list-reliable: stores a payment's result and drops its message from the consumer's processing
  list in one step, so a crash leaves either both undone (the reaper re-queues it) or both done.

  KEYS[1] the payment's status hash
  KEYS[2] the consumer's processing list (queue:payment:processing:<consumerId>)
  ARGV[1] the message exactly as taken (LREM matches it byte for byte)
  ARGV[2..] field, value pairs of the result (empty for "already final, just drop it")

  Returns the number of messages removed from the processing list (1, or 0 if it was reaped)
]]
if #ARGV > 1 then
  redis.call('HSET', KEYS[1], unpack(ARGV, 2))
end
return redis.call('LREM', KEYS[2], 1, ARGV[1])
