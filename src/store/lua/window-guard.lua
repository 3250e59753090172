-- window-guard: the exact check behind the rate limiters. bottleneck spaces sends out, but
-- a timer that fires late in one process can bunch two sends together; this sliding-window
-- log admits a send only if every window it counts against still has room, on Redis's
-- clock, so all processes together never exceed a limit.
--
-- KEYS[1…n] one sorted set per window (bot-wide, chat, group), all with the channel's tag
-- ARGV[1]    a unique id for this send
-- ARGV[2…]   per key: limit, window in ms
-- Returns    0 admitted (recorded in every window) | ms to wait before asking again
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
for i = 1, #KEYS do
  local limit, window = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')
    local w = tonumber(oldest[2]) + window - now + 1
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 * i + 1]) + 1000)
end
return 0
