-- reply: what the bot, an agent or the system says in a conversation, stored and queued
-- for delivery in one step: append the message (as append.lua, at most once per
-- idempotency key) and emit its send command (as emit-once.lua, at most once per command
-- id). The conversation and its thread's outbound stream share a shard, so one call does
-- both, and no crash can leave a reply stored as queued but never queued.
--
-- KEYS[1]  the conversation's meta hash (`<base>c:<id>`)
-- KEYS[2]  the message's idempotency mark (`<base>seen:out:<key>`)
-- KEYS[3]  the channel's outbound stream of the shard (`<base>out:<channel>`)
-- KEYS[4]  the command's emit mark (`<base>out:<channel>:emitted:<commandId>`)
-- ARGV[1]  base: the shard prefix shared by KEYS
-- ARGV[2]  conversation id
-- ARGV[3]  now, ms
-- ARGV[4]  message JSON
-- ARGV[5]  TTL of both marks, in seconds
-- ARGV[6]  "1" when the author is a human agent (marks the conversation read)
-- ARGV[7]  the command JSON without its messageId (inserted here: `"messageId":"<id>.<seq>",`
--          after the opening "{"; conversation ids need no escaping)
-- ARGV[8]  stream MAXLEN (approximate)
-- ARGV[9]  the command's "at", ms (for end-to-end latency)
-- Returns { code, seq, entry }
--   code, seq  as append.lua (-2: no such conversation, nothing written)
--   entry      the new stream entry id, or "" if the command was emitted before
local id, ttl = ARGV[2], tonumber(ARGV[5])
local code, seq = append_out(KEYS[1], KEYS[2], ARGV[1], id, ARGV[3], ARGV[4], ttl, ARGV[6] == '1')
if code == -2 then return { code, seq, '' } end
if not redis.call('SET', KEYS[4], '1', 'NX', 'EX', ttl) then return { code, seq, '' } end
local command = '{"messageId":"' .. id .. '.' .. seq .. '",' .. string.sub(ARGV[7], 2)
local entry = redis.call('XADD', KEYS[3], 'MAXLEN', '~', tonumber(ARGV[8]), '*', 'cmd', command, 'at', ARGV[9])
return { code, seq, entry }
