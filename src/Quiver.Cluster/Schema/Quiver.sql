-- Quiver's cluster tables. The durable frontier and the seen set are the same table: a URL is seen
-- when its row exists (insert ... on conflict do nothing), and done only when its result row commits
-- in the same transaction as the frontier row's change to done. Safe to run again (if not exists).

create table if not exists quiver_jobs
(
    id bigserial primary key,
    name text not null unique,
    kind text not null,                       -- 'crawl' or 'fetch'
    spec jsonb not null,                      -- JobSpec: scope, depth, politeness
    created timestamptz not null default now(),
    finished timestamptz
);

create table if not exists quiver_frontier
(
    job bigint not null references quiver_jobs (id),
    url text not null,
    id bigserial not null,                    -- the result's "line": input line (fetch) or admission order (crawl)
    host_key text not null,                   -- the grain that owns the URL: host, or registrable domain
    depth int not null,
    referrer text,
    state smallint not null default 0,        -- 0 pending, 1 leased, 2 done
    lease_owner text,                         -- the silo fetching it
    lease_epoch bigint,                       -- the host grain activation's epoch that leased it
    lease_expires timestamptz,
    primary key (job, url)
);
create index if not exists quiver_frontier_open on quiver_frontier (job, host_key, id) where state < 2;

create table if not exists quiver_results
(
    job bigint not null,
    url text not null,
    key bigint not null,                      -- the frontier row's id, the JSON line's "line"
    line text not null,                       -- the JSON-lines record, as the single-machine tool writes it
    silo text not null,
    committed timestamptz not null default clock_timestamp(),
    -- The committing transaction: a reader that takes rows below the oldest running transaction
    -- (pg_snapshot_xmin) never misses a row that commits late with a lower id.
    xid xid8 not null default pg_current_xact_id(),
    primary key (job, url)
);
create index if not exists quiver_results_stream on quiver_results (job, xid);

-- One row per host grain: each activation bumps the epoch, so leases taken by an earlier
-- activation (a silo that died, or the other side of a split) can no longer commit.
create table if not exists quiver_hosts
(
    job bigint not null,
    host_key text not null,
    epoch bigint not null,
    silo text not null,
    activated timestamptz not null default now(),
    primary key (job, host_key)
);

-- Each silo's last heartbeat and counters, for `cluster status`.
create table if not exists quiver_silos
(
    silo text primary key,
    started timestamptz not null,
    seen timestamptz not null,
    fetched bigint not null default 0,
    in_flight int not null default 0,
    hosts int not null default 0
);

-- Hosts a crawl's seeds redirected to (http to https, apex to www): a host scope covers them on every
-- node, as the single-machine crawl's scope does. Written with the seed's result.
create table if not exists quiver_seed_hosts
(
    job bigint not null,
    host text not null,
    primary key (job, host)
);

-- Orleans membership, kept by Quiver's own IMembershipTable (Membership/PostgresMembershipTable.cs).
-- One version row per cluster: every membership change bumps it, and a change commits only if the
-- etag it read is still the current one, so two silos never both win a race to change the table.
create table if not exists quiver_membership_version
(
    cluster_id text primary key,
    version int not null,
    etag text not null
);

-- One row per silo incarnation. The columns are what queries filter on; "entry" holds the rest of
-- Orleans' MembershipEntry (names, zones, start time, suspicions) as JSON, read back whole.
create table if not exists quiver_membership
(
    cluster_id text not null references quiver_membership_version (cluster_id) on delete cascade,
    silo text not null,                       -- SiloAddress.ToParsableString(): address:port@generation
    status int not null,                      -- Orleans' SiloStatus: 3 active, 6 dead
    proxy_port int not null,                  -- the silo's gateway port for clients, 0 when none
    iamalive timestamptz not null,
    etag text not null,
    entry jsonb not null,
    primary key (cluster_id, silo)
);
