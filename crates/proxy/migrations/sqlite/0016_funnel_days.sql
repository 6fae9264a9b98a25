-- Funnel steps older than the retention period, kept as counts per day (no row per visit).
CREATE TABLE funnel_days (
    day          INTEGER NOT NULL,
    step         TEXT NOT NULL,
    source_type  TEXT,
    platform_key TEXT,
    detail       TEXT,
    count        INTEGER NOT NULL
);
CREATE INDEX funnel_days_by_day ON funnel_days (day);
