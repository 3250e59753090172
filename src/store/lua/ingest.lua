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
-- ARGV[3]  dedupe TTL in seconds
-- ARGV[4]  now, ms
-- ARGV[5]  stream MAXLEN (approximate)
-- ARGV[6]  the event JSON for the stream entry
-- ARGV[7]  event type: message | edit | button | member
-- ARGV[8]  platform message id ("" if none)
-- ARGV[9]  message: the message JSON; the script inserts `"replyTo":<seq>,` after its opening
--          "{" when the replied-to message is known
--          edit: the new text as a JSON string literal
--          otherwise ""
-- ARGV[10] message: platform id of the message replied to ("" if none)
-- ARGV[11] message: "1" if the user addressed the bot (counts as unread, re-opens), else "0"
-- ARGV[12] message: the new conversation, read only if this message creates it: its shard
--          number, then its fields as name, value pairs (channel, threadKey, kind,
--          participant …), every string written as `<length in bytes>:<string>`
-- Returns { code, conversationId, seq, created }
--   code  1 stored (message appended or edit recorded)
--   code  2 stored as an event only (button, member, edit of an unknown message)
--   code  0 duplicate: nothing written
--
-- Cost: every argument, redis.call and number formatted as a string is paid on each of
-- many thousand messages a second, so the message path makes 10 calls, formats two
-- numbers (string.format, cheaper than tostring or redis.call's own conversion) and
-- touches the new-conversation fields only when it creates one (docs/store.md).
local base, field, now = ARGV[1], ARGV[2], ARGV[4]
local kind = ARGV[7]

if not redis.call('SET', KEYS[2], now, 'NX', 'EX', ARGV[3]) then
  return { 0, '', 0, 0 }
end

local id = redis.call('HGET', KEYS[1], field)
local created = 0
if not id and kind == 'message' then
  local strings, pos, packed = {}, 1, ARGV[12]
  while pos <= #packed do
    local colon = string.find(packed, ':', pos, true)
    local length = tonumber(string.sub(packed, pos, colon - 1))
    strings[#strings + 1] = string.sub(packed, colon + 1, colon + length)
    pos = colon + length + 1
  end
  local n = redis.call('HINCRBY', KEYS[1], '#', 1)
  local digits, chars = '', '0123456789abcdefghijklmnopqrstuvwxyz'
  repeat
    local d = n % 36
    digits = string.sub(chars, d + 1, d + 1) .. digits
    n = math.floor(n / 36)
  until n == 0
  id = strings[1] .. '-' .. digits
  created = 1
  local init = { 'id', id, 'status', 'open', 'owner', 'bot', 'priority', 'normal', 'tags', '',
    'messageCount', '0', 'unread', '0', 'version', '0', 'createdAt', now, 'updatedAt', now, 'lastMessageAt', now }
  local meta = { status = 'open', assignee = '', priority = 'normal', tags = '' }
  for i = 2, #strings, 2 do
    init[#init + 1] = strings[i]
    init[#init + 1] = strings[i + 1]
    meta[strings[i]] = strings[i + 1]
  end
  redis.call('HSET', base .. 'c:' .. id, unpack(init))
  redis.call('HSET', KEYS[1], field, id)
  for _, name in ipairs(membership_indexes(meta)) do redis.call('SADD', base .. name, id) end
end

local code, seq, q = 2, 0, '0'
if id then
  local ckey = base .. 'c:' .. id
  if kind == 'message' then
    local status, assignee, unread = 'open', '~', 0
    if created == 0 then
      local current = redis.call('HMGET', ckey, 'status', 'assignee', 'unread')
      status, assignee, unread = current[1], current[2], current[3]
      if assignee == false or assignee == '' then assignee = '~' end
    end
    local body = ARGV[9]
    if ARGV[10] ~= '' then
      local rseq = redis.call('HGET', ckey .. ':p', ARGV[10])
      if rseq then body = '{"replyTo":' .. rseq .. ',' .. string.sub(body, 2) end
    end
    seq = redis.call('RPUSH', ckey .. ':m', body)
    q = string.format('%d', seq)
    if ARGV[8] ~= '' then redis.call('HSET', ckey .. ':p', ARGV[8], q) end
    if ARGV[11] == '1' then
      -- unread is read above and written with the other fields: no HINCRBY of its own.
      unread = string.format('%d', (tonumber(unread) or 0) + 1)
      if status == 'open' then
        redis.call('HSET', ckey, 'lastMessageAt', now, 'updatedAt', now, 'messageCount', q,
          'lastInboundAt', now, 'unread', unread)
      else
        redis.call('ZREM', base .. 'i:status:' .. status, id)
        redis.call('ZREM', base .. 'i:resolved-at', id)
        redis.call('HDEL', ckey, 'snoozedUntil', 'resolvedAt')
        redis.call('HINCRBY', ckey, 'version', 1)
        redis.call('HSET', ckey, 'lastMessageAt', now, 'updatedAt', now, 'messageCount', q,
          'lastInboundAt', now, 'unread', unread, 'status', 'open')
        status = 'open'
      end
    else
      redis.call('HSET', ckey, 'lastMessageAt', now, 'updatedAt', now, 'messageCount', q)
    end
    redis.call('ZADD', base .. 'i:all', now, id)
    redis.call('ZADD', base .. 'i:status:' .. status, now, id)
    redis.call('ZADD', base .. 'i:assignee:' .. assignee, now, id)
    code = 1
  elseif kind == 'edit' and ARGV[8] ~= '' then
    local eseq = redis.call('HGET', ckey .. ':p', ARGV[8])
    if eseq then
      local entry = '{"text":' .. ARGV[9] .. ',"at":' .. now .. '}'
      local edits = redis.call('HGET', ckey .. ':e', eseq)
      if edits then edits = string.sub(edits, 1, -2) .. ',' .. entry .. ']' else edits = '[' .. entry .. ']' end
      redis.call('HSET', ckey .. ':e', eseq, edits)
      seq, q = tonumber(eseq), eseq
      code = 1
    end
  end
end

redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'e', ARGV[6], 'c', id or '', 'q', q)
return { code, id or '', seq, created }
