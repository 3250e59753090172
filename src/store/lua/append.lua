-- append: add a message written by the bot, an agent or the system (or a private note)
-- to a known conversation, at most once per idempotency key.
--
-- KEYS[1]  the conversation's meta hash (`<base>c:<id>`)
-- KEYS[2]  idempotency mark (`<base>seen:out:<key>`), same shard
-- ARGV[1]  base: the shard prefix shared by KEYS
-- ARGV[2]  conversation id
-- ARGV[3]  now, ms
-- ARGV[4]  message JSON
-- ARGV[5]  idempotency TTL in seconds
-- ARGV[6]  "1" when the author is a human agent (marks the conversation read)
-- Returns { code, seq }
--   code  1 appended
--   code  0 duplicate: the same key was appended before; seq is that message's
--   code -2 no such conversation
local code, seq = append_out(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6] == '1')
return { code, seq }
