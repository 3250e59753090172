-- update: change a conversation's status, assignee, tags, priority or other fields in one
-- atomic step, optionally only if its version or some fields are what the caller saw.
-- Field-level operations (a tag added, the assignee set) never overwrite each other, so
-- concurrent updates by two agents are never lost; conditions make "claim if unassigned"
-- and optimistic edits safe.
--
-- KEYS[1]  the conversation's meta hash (`<base>c:<id>`)
-- ARGV[1]  base: the shard prefix shared by KEYS[1]
-- ARGV[2]  conversation id
-- ARGV[3]  now, ms
-- ARGV[4]  expected version ("" for any)
-- ARGV[5]  number N of conditions, then N (field, expected value) pairs ("" = empty/absent)
-- ARGV[…]  operations as (op, argument) pairs:
--            set:<field> value   status, assignee, owner, priority, team, category, language,
--                                ticket, snoozedUntil, unreachable, title ("" deletes)
--            tag+ tag | tag- tag | read "" (unread = 0)
-- Returns { code, version, failedField }
--   code  1 updated (version is the new one)
--   code  0 nothing changed
--   code -1 version mismatch (version is the current one)
--   code -2 no such conversation
--   code -3 a condition did not hold (failedField names it)
local base, id, now = ARGV[1], ARGV[2], ARGV[3]
local meta = load_meta(KEYS[1])
if not meta then return { -2, 0, '' } end
if ARGV[4] ~= '' and ARGV[4] ~= meta.version then return { -1, tonumber(meta.version), '' } end

local n = tonumber(ARGV[5])
local i = 6
for _ = 1, n do
  local current = meta[ARGV[i]] or ''
  if current ~= ARGV[i + 1] then return { -3, tonumber(meta.version), ARGV[i] } end
  i = i + 2
end

local before = {}
for k, v in pairs(meta) do before[k] = v end
local changed = {}
local function set(f, v)
  if (meta[f] or '') ~= v then
    meta[f] = v
    changed[f] = true
  end
end

while i <= #ARGV do
  local op, arg = ARGV[i], ARGV[i + 1]
  if string.sub(op, 1, 4) == 'set:' then
    set(string.sub(op, 5), arg)
  elseif op == 'tag+' or op == 'tag-' then
    local tags, seen = {}, false
    for t in string.gmatch(meta.tags or '', '[^,]+') do
      if t == arg then seen = true end
      if not (op == 'tag-' and t == arg) then tags[#tags + 1] = t end
    end
    if op == 'tag+' and not seen then tags[#tags + 1] = arg end
    set('tags', table.concat(tags, ','))
  elseif op == 'read' then
    set('unread', '0')
  end
  i = i + 2
end

if next(changed) == nil then return { 0, tonumber(meta.version), '' } end

if changed.status then
  if meta.status == 'resolved' then
    redis.call('ZADD', base .. 'i:resolved-at', now, id)
    meta.resolvedAt = now
    changed.resolvedAt = true
  else
    redis.call('ZREM', base .. 'i:resolved-at', id)
    set('resolvedAt', '')
  end
  if meta.status ~= 'snoozed' then set('snoozedUntil', '') end
end

remove_from_indexes(base, id, before)
add_to_indexes(base, id, meta)

meta.version = tostring(tonumber(meta.version) + 1)
meta.updatedAt = now
local write, gone = { 'version', meta.version, 'updatedAt', now }, {}
for f in pairs(changed) do
  if meta[f] == '' then gone[#gone + 1] = f else
    write[#write + 1] = f
    write[#write + 1] = meta[f]
  end
end
redis.call('HSET', KEYS[1], unpack(write))
if #gone > 0 then redis.call('HDEL', KEYS[1], unpack(gone)) end
return { 1, tonumber(meta.version), '' }
