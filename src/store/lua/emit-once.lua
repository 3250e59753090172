-- emit-once: append an outbound command to its channel's stream unless a command with the
-- same id was emitted before. A router that crashed after emitting and is retried (or
-- whose work another router takes over) therefore never queues a second copy.
--
-- KEYS[1]  the channel's outbound stream of the thread's shard (`<prefix>:{s<n>}:out:<channel>`)
-- KEYS[2]  the command's emit mark (`<prefix>:{s<n>}:out:<channel>:emitted:<commandId>`), same tag
-- ARGV[1]  the command JSON
-- ARGV[2]  mark TTL in seconds
-- ARGV[3]  stream MAXLEN (approximate)
-- ARGV[4]  now, ms (for end-to-end latency)
-- Returns  the new entry id, or "" if the command was emitted before
if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', tonumber(ARGV[2])) then return '' end
return redis.call('XADD', KEYS[1], 'MAXLEN', '~', tonumber(ARGV[3]), '*', 'cmd', ARGV[1], 'at', ARGV[4])
