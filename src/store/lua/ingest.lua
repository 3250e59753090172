-- ingest: store a batch of inbound platform events of one shard, in one atomic call.
--   Each event in turn: dropped if it is a duplicate; else its thread's conversation is
--   found or (by a message) created, the message appended or the edit recorded, and the
--   event appended to the shard's inbound stream for the router. The activity indexes of
--   the conversations that got a message are re-scored once, at the end (or before a
--   re-open). Every event is stored whole or not at all, and so is the batch.
--
-- KEYS[1]  threads hash of the shard      (`<base>threads`: field "<channel>|<threadKey>" -> conversation id;
--                                          field "#" counts the shard's conversations, for ids)
-- KEYS[2]  inbound stream of the shard    (`<base>stream:inbound`)
-- ARGV[1]  base: the shard prefix shared by KEYS (`verity:{s7}:`)
-- ARGV[2]  now, ms
-- ARGV[3]  dedupe TTL of an event's mark, in seconds
-- ARGV[4]  stream MAXLEN (approximate)
-- ARGV[5…] the events, each a head naming its kind, then its arguments:
--   m1 | m0  a message (m1: the user addressed the bot, so it counts as unread and re-opens):
--            thread field "<channel>|<threadKey>"; platform message id; platform id of the
--            message replied to ("" if none); the message JSON (`"replyTo":<seq>,` is
--            inserted after its opening "{" when the replied-to message is known); the new
--            conversation, read only if this message creates it (its shard number, then its
--            fields as name, value pairs, every string written `<length in bytes>:<string>`);
--            the event JSON for the stream entry.
--            Deduplicated by its platform id in the conversation's `:p` hash (platform id ->
--            seq), which the message writes anyway: no mark of its own, and no expiry.
--   e        an edit: thread field; its dedupe mark (`<base>seen:<channel>:<eventId>`);
--            platform id of the edited message; the new text as a JSON string literal; the
--            event JSON
--   x        any other event (button, member): thread field; its dedupe mark; the event JSON
-- Returns { code, conversationId, seq } for each event, in order
--   code  1 stored (message appended or edit recorded)
--   code  3 stored: a message that created its conversation
--   code  2 stored as an event only (button, member, edit of an unknown message)
--   code  0 duplicate: nothing written
--
-- Cost: the call itself, each argument and byte, and each redis.call are paid by Redis on
-- many thousand messages a second (docs/store.md, "Per-message cost"): a batch shares the
-- call and its fixed arguments, a message makes six calls (HGET, HMGET, HSETNX, RPUSH,
-- HSET, XADD), and the three activity ZADDs are one per index for the whole batch.
local base, now, ttl, maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local threads, stream = KEYS[1], KEYS[2]

local function create(field, packed)
  local strings, pos = {}, 1
  while pos <= #packed do
    local colon = string.find(packed, ':', pos, true)
    local length = tonumber(string.sub(packed, pos, colon - 1))
    strings[#strings + 1] = string.sub(packed, colon + 1, colon + length)
    pos = colon + length + 1
  end
  local n = redis.call('HINCRBY', threads, '#', 1)
  local digits, chars = '', '0123456789abcdefghijklmnopqrstuvwxyz'
  repeat
    local d = n % 36
    digits = string.sub(chars, d + 1, d + 1) .. digits
    n = math.floor(n / 36)
  until n == 0
  local id = strings[1] .. '-' .. digits
  local init = { 'id', id, 'status', 'open', 'owner', 'bot', 'priority', 'normal', 'tags', '',
    'messageCount', '0', 'unread', '0', 'version', '0', 'createdAt', now, 'updatedAt', now, 'lastMessageAt', now }
  local meta = { status = 'open', assignee = '', priority = 'normal', tags = '' }
  for i = 2, #strings, 2 do
    init[#init + 1] = strings[i]
    init[#init + 1] = strings[i + 1]
    meta[strings[i]] = strings[i + 1]
  end
  redis.call('HSET', base .. 'c:' .. id, unpack(init))
  redis.call('HSET', threads, field, id)
  for _, name in ipairs(membership_indexes(meta)) do redis.call('SADD', base .. name, id) end
  return id
end

-- Pending scores of the activity indexes, as ZADD arguments (now, id, now, id …): every
-- conversation that got a message is in `all`, and in its status's and assignee's list.
local all, by_status, by_assignee = {}, {}, {}

local function push(list, id)
  list[#list + 1] = now
  list[#list + 1] = id
end

local function push_to(lists, name, id)
  local list = lists[name]
  if not list then
    list = {}
    lists[name] = list
  end
  push(list, id)
end

local function rescore(status, assignee, id)
  push(all, id)
  push_to(by_status, status, id)
  push_to(by_assignee, assignee, id)
end

-- Redis keeps a sorted set of up to zset-max-listpack-entries (128) members as a listpack,
-- where moving a member to the newest score walks the whole list: ~17k instructions a ZADD
-- at 60 members, against ~3k in a skiplist (docs/store.md). A member longer than
-- zset-max-listpack-value (64 bytes by default) turns the set into a skiplist, which Redis
-- turns back only when it loads the data again, so an index found as a listpack is
-- converted here by adding and removing such a member, unseen inside this atomic call.
-- pcall: where OBJECT is not allowed (an ACL) or answers otherwise, the listpack stays.
local function zadd(key, list)
  if redis.pcall('OBJECT', 'ENCODING', key) == 'listpack' then
    local long = string.rep('~', 1024)
    redis.call('ZADD', key, 0, long)
    redis.call('ZREM', key, long)
  end
  redis.call('ZADD', key, unpack(list))
end

local function flush_scores()
  if #all == 0 then return end
  zadd(base .. 'i:all', all)
  for status, list in pairs(by_status) do zadd(base .. 'i:status:' .. status, list) end
  for assignee, list in pairs(by_assignee) do zadd(base .. 'i:assignee:' .. assignee, list) end
  all, by_status, by_assignee = {}, {}, {}
end

-- A message: returns code, conversation id ('' for a duplicate), seq.
local function message(addressed, field, pmid, replied, body, packed, event)
  local id = redis.call('HGET', threads, field)
  local status, assignee, unread, count = 'open', '~', 0, 0
  local created = not id
  if created then
    id = create(field, packed)
  else
    local current = redis.call('HMGET', base .. 'c:' .. id, 'status', 'assignee', 'unread', 'messageCount')
    status, assignee, unread, count = current[1], current[2], current[3], tonumber(current[4]) or 0
    if assignee == false or assignee == '' then assignee = '~' end
  end
  local ckey = base .. 'c:' .. id
  -- The dedupe: the platform id is mapped to the seq the message is about to get, or was
  -- mapped already by its first delivery.
  local seq = count + 1
  local q = string.format('%d', seq)
  if redis.call('HSETNX', ckey .. ':p', pmid, q) == 0 then return 0, '', 0 end
  if replied ~= '' then
    local rseq = redis.call('HGET', ckey .. ':p', replied)
    if rseq then body = '{"replyTo":' .. rseq .. ',' .. string.sub(body, 2) end
  end
  local length = redis.call('RPUSH', ckey .. ':m', body)
  if length ~= seq then
    -- messageCount had drifted from the list (a script that failed midway, a hand edit):
    -- the list is the truth, and the count is mended below.
    seq = length
    q = string.format('%d', seq)
    redis.call('HSET', ckey .. ':p', pmid, q)
  end
  if addressed then
    -- unread is read above and written with the other fields: no HINCRBY of its own.
    unread = string.format('%d', (tonumber(unread) or 0) + 1)
    if status == 'open' then
      redis.call('HSET', ckey, 'lastMessageAt', now, 'updatedAt', now, 'messageCount', q,
        'lastInboundAt', now, 'unread', unread)
    else
      -- Scores pending under its old status must land before it leaves that index.
      flush_scores()
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
  rescore(status, assignee, id)
  redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'e', event, 'c', id, 'q', q)
  return created and 3 or 1, id, seq
end

-- An edit (pmid set) or another event: returns code, conversation id, seq.
local function other(field, seen, pmid, text, event)
  if not redis.call('SET', seen, now, 'NX', 'EX', ttl) then return 0, '', 0 end
  local id = redis.call('HGET', threads, field) or ''
  local code, seq, q = 2, 0, '0'
  if id ~= '' and pmid then
    local ckey = base .. 'c:' .. id
    local eseq = redis.call('HGET', ckey .. ':p', pmid)
    if eseq then
      local entry = '{"text":' .. text .. ',"at":' .. now .. '}'
      local edits = redis.call('HGET', ckey .. ':e', eseq)
      if edits then edits = string.sub(edits, 1, -2) .. ',' .. entry .. ']' else edits = '[' .. entry .. ']' end
      redis.call('HSET', ckey .. ':e', eseq, edits)
      code, seq, q = 1, tonumber(eseq), eseq
    end
  end
  redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'e', event, 'c', id, 'q', q)
  return code, id, seq
end

local reply, i = {}, 5
while i <= #ARGV do
  local head = ARGV[i]
  local code, id, seq
  if head == 'm1' or head == 'm0' then
    code, id, seq = message(head == 'm1', ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6])
    i = i + 7
  elseif head == 'e' then
    code, id, seq = other(ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5])
    i = i + 6
  else
    code, id, seq = other(ARGV[i + 1], ARGV[i + 2], nil, nil, ARGV[i + 3])
    i = i + 4
  end
  reply[#reply + 1] = code
  reply[#reply + 1] = id
  reply[#reply + 1] = seq
end
flush_scores()
return reply
