-- Backchannel scale-out store (PostgreSQL), schema version 2: the per-client pending count in shards.
--
-- Version 1 kept one client_pending row per client, changed by every request of that client as it was created and as it
-- was decided: every flow of a client queued on that row's lock, held until its transaction's commit was flushed. The
-- count now lives in up to a few dozen rows per client (client_pending_shards): a request adds 1 to a shard chosen at
-- random when it is created, remembers it (auth_requests.pending_shard), and takes the 1 back from that same shard when
-- it is decided, fails, has its expiry notified or is removed. The limit (Ciba:MaxPendingRequestsPerClient) is checked
-- on the sum of the client's shards, in the creating statement itself.
--
-- Requests stored before this version are counted again, from the requests themselves, in shard 0: pending, and not
-- yet told of their expiry (what version 1 counted). The table of version 1 is left as it was for the nodes of the
-- previous version that run while the others are upgraded (they keep using it, and work); nothing of this version reads
-- it, and a later version drops it. While both versions run, a request created by one and decided by the other stays
-- counted in the new table (or is taken out of a shard it was not counted in): the count may be off by the requests
-- that cross versions during the upgrade, until a later version counts again.

ALTER TABLE auth_requests ADD COLUMN pending_shard integer NOT NULL DEFAULT 0;

CREATE TABLE client_pending_shards (
    client_id  text     NOT NULL,
    shard      integer  NOT NULL,
    pending    integer  NOT NULL,
    PRIMARY KEY (client_id, shard)
) WITH (fillfactor = 50);

INSERT INTO client_pending_shards (client_id, shard, pending)
SELECT client_id, 0, count(*) FROM auth_requests WHERE status = 0 AND NOT expiry_notified GROUP BY client_id;
