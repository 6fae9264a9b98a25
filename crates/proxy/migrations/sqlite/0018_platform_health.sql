-- Each connection an owner started here and how its Link attempt ended, as Codat reported it:
-- linked, or failed at the platform (a 5xx data connection error). Counted per platform over the
-- last hour, in businesses, for the platforms' health; kept a day.
CREATE TABLE link_attempts (
    connection_id TEXT PRIMARY KEY NOT NULL,
    merchant_id   TEXT NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    platform_key  TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    outcome       TEXT,
    ended_at      INTEGER
);
CREATE INDEX link_attempts_by_platform ON link_attempts (platform_key, ended_at);

-- Platforms judged degraded (their recent attempts mostly fail), and since when; a row stays
-- once a platform was judged, with no time while it is healthy. The lender hears each change.
CREATE TABLE platform_health (
    platform_key   TEXT PRIMARY KEY NOT NULL,
    degraded_since INTEGER,
    changed_at     INTEGER NOT NULL
);
