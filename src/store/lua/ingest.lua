-- ingest: store one inbound platform event atomically, in one round trip.
--   Drops it if its eventId was seen; finds or creates the conversation of its thread;
--   appends the message (type `message`) or records the edit (type `edit`); re-scores the
--   activity indexes; and appends the event to the shard's inbound stream for the router.
--   Either all of this happens or none of it.
--
-- KEYS[1]  threads hash of the shard      (`<base>threads`: field "<channel>|<threadKey>" -> conversation id;
--                                          field "#" counts the shard's conversations, for ids)
-- KEYS[2]  dedupe mark of the event       (`<base>seen:<channel>:<eventId>`)
-- KEYS[3]  inbound stream of the shard    (`<base>stream:inbound`)
-- ARGV[1]  base: the shard prefix shared by KEYS (`verity:{s7}:`)
-- ARGV[2]  thread field "<channel>|<threadKey>"
-- ARGV[3]  shard number (a new conversation's id is "<shard>-<counter in base 36>")
-- ARGV[4]  dedupe TTL in seconds
-- ARGV[5]  now, ms
-- ARGV[6]  event type: message | edit | button | member
-- ARGV[7]  message JSON without its opening "{" ("" unless type message); the script
--          prepends `"replyTo":<seq>,` when the replied-to message is known
-- ARGV[8]  platform message id ("" if none)
-- ARGV[9]  platform id of the message replied to ("" if none)
-- ARGV[10] "1" if the user addressed the bot (counts as unread, re-opens), else "0"
-- ARGV[11] edit: the new text as a JSON string literal ("" otherwise)
-- ARGV[12] the event JSON for the stream entry
-- ARGV[13] stream MAXLEN (approximate)
-- ARGV[14…] new-conversation fields as name, value pairs (channel, threadKey, kind, participant …)
-- Returns { code, conversationId, seq, created }
--   code  1 stored (message appended or edit recorded)
--   code  2 stored as an event only (button, member, edit of an unknown message)
--   code  0 duplicate: nothing written
local base, field, now = ARGV[1], ARGV[2], ARGV[5]
local kind = ARGV[6]

if not redis.call('SET', KEYS[2], now, 'NX', 'EX', tonumber(ARGV[4])) then
  return { 0, '', 0, 0 }
end

local id = redis.call('HGET', KEYS[1], field)
local created = 0
if not id and kind == 'message' then
  local n = redis.call('HINCRBY', KEYS[1], '#', 1)
  local digits, chars = '', '0123456789abcdefghijklmnopqrstuvwxyz'
  repeat
    local d = n % 36
    digits = string.sub(chars, d + 1, d + 1) .. digits
    n = math.floor(n / 36)
  until n == 0
  id = ARGV[3] .. '-' .. digits
  created = 1
  local init = {}
  for i = 14, #ARGV do init[#init + 1] = ARGV[i] end
  local meta = { status = 'open', assignee = '', priority = 'normal', tags = '', lastMessageAt = now }
  for i = 1, #init, 2 do meta[init[i]] = init[i + 1] end
  redis.call('HSET', base .. 'c:' .. id, 'id', id, 'status', 'open', 'owner', 'bot', 'priority', 'normal',
    'tags', '', 'messageCount', 0, 'unread', 0, 'version', 0,
    'createdAt', now, 'updatedAt', now, 'lastMessageAt', now, unpack(init))
  redis.call('HSET', KEYS[1], field, id)
  for _, name in ipairs(membership_indexes(meta)) do redis.call('SADD', base .. name, id) end
end

local code, seq = 2, 0
if id then
  local ckey = base .. 'c:' .. id
  if kind == 'message' then
    local current = redis.call('HMGET', ckey, 'status', 'assignee')
    local status, assignee = current[1], current[2]
    if assignee == false or assignee == '' then assignee = '~' end
    local reply = ''
    if ARGV[9] ~= '' then
      local rseq = redis.call('HGET', ckey .. ':p', ARGV[9])
      if rseq then reply = '"replyTo":' .. rseq .. ',' end
    end
    seq = redis.call('RPUSH', ckey .. ':m', '{' .. reply .. ARGV[7])
    if ARGV[8] ~= '' then redis.call('HSET', ckey .. ':p', ARGV[8], seq) end
    local changes = { 'lastMessageAt', now, 'updatedAt', now, 'messageCount', seq }
    if ARGV[10] == '1' then
      redis.call('HINCRBY', ckey, 'unread', 1)
      changes[#changes + 1] = 'lastInboundAt'
      changes[#changes + 1] = now
      if status ~= 'open' then
        redis.call('ZREM', base .. 'i:status:' .. status, id)
        redis.call('ZREM', base .. 'i:resolved-at', id)
        redis.call('HDEL', ckey, 'snoozedUntil', 'resolvedAt')
        redis.call('HINCRBY', ckey, 'version', 1)
        status = 'open'
        changes[#changes + 1] = 'status'
        changes[#changes + 1] = 'open'
      end
    end
    redis.call('HSET', ckey, unpack(changes))
    for _, name in ipairs(activity_indexes(status, assignee)) do redis.call('ZADD', base .. name, now, id) end
    code = 1
  elseif kind == 'edit' and ARGV[8] ~= '' then
    local eseq = redis.call('HGET', ckey .. ':p', ARGV[8])
    if eseq then
      local entry = '{"text":' .. ARGV[11] .. ',"at":' .. now .. '}'
      local edits = redis.call('HGET', ckey .. ':e', eseq)
      if edits then edits = string.sub(edits, 1, -2) .. ',' .. entry .. ']' else edits = '[' .. entry .. ']' end
      redis.call('HSET', ckey .. ':e', eseq, edits)
      seq = tonumber(eseq)
      code = 1
    end
  end
end

redis.call('XADD', KEYS[3], 'MAXLEN', '~', tonumber(ARGV[13]), '*', 'e', ARGV[12], 'c', id or '', 'q', seq)
return { code, id or '', seq, created }
