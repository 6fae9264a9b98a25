-- The return URL of an owner who came by a lender's link belongs to the session that link
-- started, not to the merchant for good: a return from Link without a session is eligible only
-- while that session lives.
ALTER TABLE sessions ADD COLUMN return_url TEXT;
ALTER TABLE merchants DROP COLUMN return_url;
