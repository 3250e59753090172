-- lease-release: give up a lease, only if it is still the caller's.
--
-- KEYS[1]  the lease (a string holding its owner)
-- ARGV[1]  the owner
-- Returns  1 if released, 0 if it had lapsed or was someone else's
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
