-- Why a verified webhook could not be read or acted on. Such an event was acknowledged (Codat
-- would only send it again, unchanged) and is kept here with the reason, to be reported.
ALTER TABLE webhook_events ADD COLUMN failure TEXT;
