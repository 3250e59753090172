-- window-touch: move a send that left late to when it left. window-guard counts a send at
-- the moment it admitted it; if this process only got to the send later (a GC pause, a busy
-- event loop), the send reached the platform later than the windows think, and a send
-- admitted one window after the first could reach it less than a window after it. Re-dating
-- the entry to now (at or after the actual send) keeps the windows exact. Only late sends
-- pay for this call.
--
-- KEYS[1…n] the windows the send was admitted in (as for window-guard)
-- ARGV[1]    the send's id, as given to window-guard
-- Returns    the number of windows that still held the send
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local moved = 0
for i = 1, #KEYS do
  moved = moved + redis.call('ZADD', KEYS[i], 'XX', 'CH', now, ARGV[1])
end
return moved
