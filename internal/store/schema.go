package store

// migrations are the schema changes in order: migrations[i] takes a database from
// version i to version i+1 (PRAGMA user_version). Append only; never edit a released
// entry.
//
// Conventions: every record is keyed by (source, id) as the source knows it; times are
// unix milliseconds in INTEGER columns, 0 meaning unset; strings are NOT NULL, the empty string
// meaning unset. There are deliberately no foreign keys from pages, engagements or
// team members to incidents and people: a source may deliver them in any order, or
// refer to records outside its history window.
var migrations = []string{
	// 1: the initial schema.
	`
CREATE TABLE sources (
	name            TEXT PRIMARY KEY,
	type            TEXT NOT NULL DEFAULT '',
	cap_people      INTEGER NOT NULL DEFAULT 0,
	cap_pages       INTEGER NOT NULL DEFAULT 0,
	cap_engagements INTEGER NOT NULL DEFAULT 0,
	cap_oncall      INTEGER NOT NULL DEFAULT 0,
	registered_at   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE cursors (
	source     TEXT PRIMARY KEY,
	cursor     TEXT NOT NULL,
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE people (
	source    TEXT NOT NULL,
	id        TEXT NOT NULL,
	name      TEXT NOT NULL DEFAULT '',
	email     TEXT NOT NULL DEFAULT '',
	time_zone TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (source, id)
) WITHOUT ROWID;

CREATE TABLE teams (
	source TEXT NOT NULL,
	name   TEXT NOT NULL,
	PRIMARY KEY (source, name)
) WITHOUT ROWID;

-- The roster of a team, replaced as a whole on every write of the team; pos keeps
-- the order the source gave.
CREATE TABLE team_members (
	source    TEXT NOT NULL,
	team      TEXT NOT NULL,
	person_id TEXT NOT NULL,
	pos       INTEGER NOT NULL,
	PRIMARY KEY (source, team, person_id),
	FOREIGN KEY (source, team) REFERENCES teams (source, name) ON DELETE CASCADE
) WITHOUT ROWID;

-- live_until is the last instant an incident matters to a window: never for an open
-- incident, else the later of creation and resolution. LoadHistory reads one range of
-- its index instead of an OR over three columns.
CREATE TABLE incidents (
	source            TEXT NOT NULL,
	id                TEXT NOT NULL,
	title             TEXT NOT NULL DEFAULT '',
	team              TEXT NOT NULL DEFAULT '',
	service           TEXT NOT NULL DEFAULT '',
	severity          TEXT NOT NULL DEFAULT '',
	escalation_policy TEXT NOT NULL DEFAULT '',
	recurrence_key    TEXT NOT NULL DEFAULT '',
	created_at        INTEGER NOT NULL DEFAULT 0,
	acknowledged_at   INTEGER NOT NULL DEFAULT 0,
	resolved_at       INTEGER NOT NULL DEFAULT 0,
	live_until        INTEGER GENERATED ALWAYS AS (
		CASE WHEN resolved_at = 0 THEN 9223372036854775807 ELSE max(created_at, resolved_at) END
	) VIRTUAL,
	PRIMARY KEY (source, id)
);
CREATE INDEX incidents_live_until ON incidents (live_until, source, id); -- covers the joins of pages and engagements

-- incident_totals counts every stored incident by (source, team, severity), kept up to
-- date by the triggers below, so hero_incidents_created_total does not need a scan of
-- all history on every load.
CREATE TABLE incident_totals (
	source   TEXT NOT NULL,
	team     TEXT NOT NULL,
	severity TEXT NOT NULL,
	n        INTEGER NOT NULL,
	PRIMARY KEY (source, team, severity)
) WITHOUT ROWID;

CREATE TRIGGER incidents_totals_insert AFTER INSERT ON incidents BEGIN
	INSERT INTO incident_totals (source, team, severity, n) VALUES (new.source, new.team, new.severity, 1)
	ON CONFLICT (source, team, severity) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER incidents_totals_update AFTER UPDATE OF source, team, severity ON incidents
WHEN old.source IS NOT new.source OR old.team IS NOT new.team OR old.severity IS NOT new.severity
BEGIN
	UPDATE incident_totals SET n = n - 1
	WHERE source = old.source AND team = old.team AND severity = old.severity;
	INSERT INTO incident_totals (source, team, severity, n) VALUES (new.source, new.team, new.severity, 1)
	ON CONFLICT (source, team, severity) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER incidents_totals_delete AFTER DELETE ON incidents BEGIN
	UPDATE incident_totals SET n = n - 1
	WHERE source = old.source AND team = old.team AND severity = old.severity;
END;

-- Pages and engagements are clustered by incident, the way LoadHistory reads them;
-- the unique (source, id) index is the upsert key.
CREATE TABLE pages (
	source      TEXT NOT NULL,
	incident_id TEXT NOT NULL,
	id          TEXT NOT NULL,
	person_id   TEXT NOT NULL DEFAULT '',
	at          INTEGER NOT NULL DEFAULT 0,
	channel     TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (source, incident_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX pages_id ON pages (source, id);

CREATE TABLE engagements (
	source      TEXT NOT NULL,
	incident_id TEXT NOT NULL,
	id          TEXT NOT NULL,
	person_id   TEXT NOT NULL DEFAULT '',
	kind        TEXT NOT NULL DEFAULT '',
	at          INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (source, incident_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX engagements_id ON engagements (source, id);

-- live_until: never for an open-ended shift, else its end.
CREATE TABLE shifts (
	source            TEXT NOT NULL,
	id                TEXT NOT NULL,
	person_id         TEXT NOT NULL DEFAULT '',
	escalation_policy TEXT NOT NULL DEFAULT '',
	level             INTEGER NOT NULL DEFAULT 0,
	start_at          INTEGER NOT NULL DEFAULT 0,
	end_at            INTEGER NOT NULL DEFAULT 0,
	live_until        INTEGER GENERATED ALWAYS AS (
		CASE WHEN end_at = 0 THEN 9223372036854775807 ELSE end_at END
	) VIRTUAL,
	PRIMARY KEY (source, id)
);
CREATE INDEX shifts_live_until ON shifts (live_until);

-- The log follower's state: per log file set, opaque values by key (positions,
-- file identities), and the fingerprints already counted, newest seq last.
CREATE TABLE log_state (
	log   TEXT NOT NULL,
	key   TEXT NOT NULL,
	value BLOB NOT NULL,
	PRIMARY KEY (log, key)
) WITHOUT ROWID;

CREATE TABLE seen_fingerprints (
	log         TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	seq         INTEGER NOT NULL,
	PRIMARY KEY (log, fingerprint)
) WITHOUT ROWID;
CREATE INDEX seen_fingerprints_seq ON seen_fingerprints (log, seq);
`,
}
