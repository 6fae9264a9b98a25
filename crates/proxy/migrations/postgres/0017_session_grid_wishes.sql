-- What the lender asked of the grid for one session (POST /v1/sessions, or the one-time link it
-- sent): platforms shown first (Codat keys, comma-separated, in order) and one to open at.
ALTER TABLE sessions ADD COLUMN featured_platforms TEXT;
ALTER TABLE sessions ADD COLUMN opening_platform TEXT;
ALTER TABLE link_starts ADD COLUMN featured_platforms TEXT;
ALTER TABLE link_starts ADD COLUMN opening_platform TEXT;
