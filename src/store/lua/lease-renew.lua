-- lease-renew: extend a lease only while it is still the caller's.
--
-- KEYS[1]  the lease (a string holding its owner)
-- ARGV[1]  the owner
-- ARGV[2]  the new time to live, ms
-- Returns  1 if renewed, 0 if the lease lapsed or is someone else's now
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) end
return 0
