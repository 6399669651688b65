package store

// migrations are the schema changes in order: migrations[i] takes a database from
// version i to version i+1 (PRAGMA user_version). Append only; never edit a released
// entry.
//
// Conventions: every record is keyed by (source, id) as the source knows it; times are
// unix milliseconds in INTEGER columns, 0 meaning unset; strings are NOT NULL, the empty
// string meaning unset. Short strings that repeat from row to row (source names, teams,
// services, severities, escalation policies, person ids, channels, kinds) are stored once
// in the names dictionary and referred to by its id, 0 being the empty string: rows and
// indexes stay small, comparisons are of integers, and LoadHistory hands out one shared
// Go string per value without reading it again for every row. The *_view views show
// the tables with the names filled in, for people reading the database by hand.
//
// There are deliberately no foreign keys from pages, engagements or team members to
// incidents and people: a source may deliver them in any order, or refer to records
// outside its history window.
var migrations = []string{
	// 1: the initial schema.
	`
CREATE TABLE names (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE
);
INSERT INTO names (id, name) VALUES (0, '');

-- A source is known once it has been registered or has written a batch.
CREATE TABLE sources (
	source          INTEGER PRIMARY KEY, -- names.id of the source's name
	type            TEXT NOT NULL DEFAULT '',
	cap_people      INTEGER NOT NULL DEFAULT 0,
	cap_pages       INTEGER NOT NULL DEFAULT 0,
	cap_engagements INTEGER NOT NULL DEFAULT 0,
	cap_oncall      INTEGER NOT NULL DEFAULT 0,
	registered_at   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE cursors (
	source     TEXT PRIMARY KEY,
	cursor     TEXT NOT NULL,
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE people (
	source    INTEGER NOT NULL,
	person    INTEGER NOT NULL, -- names.id of the person's id
	name      TEXT NOT NULL DEFAULT '',
	email     TEXT NOT NULL DEFAULT '',
	time_zone TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (source, person)
) WITHOUT ROWID;

CREATE TABLE teams (
	source INTEGER NOT NULL,
	team   INTEGER NOT NULL,
	PRIMARY KEY (source, team)
) WITHOUT ROWID;

-- The roster of a team, replaced as a whole on every write of the team; pos keeps
-- the order the source gave.
CREATE TABLE team_members (
	source INTEGER NOT NULL,
	team   INTEGER NOT NULL,
	person INTEGER NOT NULL,
	pos    INTEGER NOT NULL,
	PRIMARY KEY (source, team, person),
	FOREIGN KEY (source, team) REFERENCES teams (source, team) ON DELETE CASCADE
) WITHOUT ROWID;

-- live_until is the last instant an incident matters to a window: never for an open
-- incident, else the later of creation and resolution. LoadHistory reads one range of
-- its index instead of an OR over three columns; the index also covers the joins of
-- pages and engagements.
CREATE TABLE incidents (
	source            INTEGER NOT NULL,
	id                TEXT NOT NULL,
	title             TEXT NOT NULL DEFAULT '',
	team              INTEGER NOT NULL DEFAULT 0,
	service           INTEGER NOT NULL DEFAULT 0,
	severity          INTEGER NOT NULL DEFAULT 0,
	escalation_policy INTEGER NOT NULL DEFAULT 0,
	recurrence_key    TEXT NOT NULL DEFAULT '',
	created_at        INTEGER NOT NULL DEFAULT 0,
	acknowledged_at   INTEGER NOT NULL DEFAULT 0,
	resolved_at       INTEGER NOT NULL DEFAULT 0,
	live_until        INTEGER GENERATED ALWAYS AS (
		CASE WHEN resolved_at = 0 THEN 9223372036854775807 ELSE max(created_at, resolved_at) END
	) VIRTUAL,
	PRIMARY KEY (source, id)
);
CREATE INDEX incidents_live_until ON incidents (live_until, source, id);

-- incident_totals counts every stored incident by (source, team, severity), kept up to
-- date by the triggers below, so hero_incidents_created_total does not need a scan of
-- all history on every load.
CREATE TABLE incident_totals (
	source   INTEGER NOT NULL,
	team     INTEGER NOT NULL,
	severity INTEGER NOT NULL,
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
	source      INTEGER NOT NULL,
	incident_id TEXT NOT NULL,
	id          TEXT NOT NULL,
	person      INTEGER NOT NULL DEFAULT 0,
	at          INTEGER NOT NULL DEFAULT 0,
	channel     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (source, incident_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX pages_id ON pages (source, id);

CREATE TABLE engagements (
	source      INTEGER NOT NULL,
	incident_id TEXT NOT NULL,
	id          TEXT NOT NULL,
	person      INTEGER NOT NULL DEFAULT 0,
	kind        INTEGER NOT NULL DEFAULT 0,
	at          INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (source, incident_id, id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX engagements_id ON engagements (source, id);

-- live_until: never for an open-ended shift, else its end.
CREATE TABLE shifts (
	source            INTEGER NOT NULL,
	id                TEXT NOT NULL,
	person            INTEGER NOT NULL DEFAULT 0,
	escalation_policy INTEGER NOT NULL DEFAULT 0,
	level             INTEGER NOT NULL DEFAULT 0,
	start_at          INTEGER NOT NULL DEFAULT 0,
	end_at            INTEGER NOT NULL DEFAULT 0,
	live_until        INTEGER GENERATED ALWAYS AS (
		CASE WHEN end_at = 0 THEN 9223372036854775807 ELSE end_at END
	) VIRTUAL,
	PRIMARY KEY (source, id)
);
CREATE INDEX shifts_live_until ON shifts (live_until);

-- The log follower's state: per log, opaque values by key (positions, file
-- identities), and the fingerprints already counted, the most recently added with
-- the highest seq.
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

-- Views with the names filled in, for reading by hand (sqlite3 hero.db).
CREATE VIEW sources_view AS
SELECT n.name AS source, s.type, s.cap_people, s.cap_pages, s.cap_engagements, s.cap_oncall, s.registered_at
FROM sources s JOIN names n ON n.id = s.source;

CREATE VIEW people_view AS
SELECT s.name AS source, p.name AS id, x.name, x.email, x.time_zone
FROM people x JOIN names s ON s.id = x.source JOIN names p ON p.id = x.person;

CREATE VIEW team_members_view AS
SELECT s.name AS source, t.name AS team, p.name AS person, m.pos
FROM team_members m JOIN names s ON s.id = m.source JOIN names t ON t.id = m.team JOIN names p ON p.id = m.person;

CREATE VIEW incidents_view AS
SELECT s.name AS source, i.id, i.title, t.name AS team, v.name AS service, sev.name AS severity,
	ep.name AS escalation_policy, i.recurrence_key, i.created_at, i.acknowledged_at, i.resolved_at
FROM incidents i JOIN names s ON s.id = i.source JOIN names t ON t.id = i.team JOIN names v ON v.id = i.service
	JOIN names sev ON sev.id = i.severity JOIN names ep ON ep.id = i.escalation_policy;

CREATE VIEW incident_totals_view AS
SELECT s.name AS source, t.name AS team, sev.name AS severity, x.n
FROM incident_totals x JOIN names s ON s.id = x.source JOIN names t ON t.id = x.team JOIN names sev ON sev.id = x.severity;

CREATE VIEW pages_view AS
SELECT s.name AS source, p.id, p.incident_id, n.name AS person, p.at, c.name AS channel
FROM pages p JOIN names s ON s.id = p.source JOIN names n ON n.id = p.person JOIN names c ON c.id = p.channel;

CREATE VIEW engagements_view AS
SELECT s.name AS source, e.id, e.incident_id, n.name AS person, k.name AS kind, e.at
FROM engagements e JOIN names s ON s.id = e.source JOIN names n ON n.id = e.person JOIN names k ON k.id = e.kind;

CREATE VIEW shifts_view AS
SELECT s.name AS source, x.id, n.name AS person, ep.name AS escalation_policy, x.level, x.start_at, x.end_at
FROM shifts x JOIN names s ON s.id = x.source JOIN names n ON n.id = x.person JOIN names ep ON ep.id = x.escalation_policy;
`,

	// 2: a change sequence for the incremental load (HistoryCache). Every write
	// transaction takes the next value of change_seq and stamps it on each row of the
	// tables LoadHistory reads that it inserts or actually changes (a re-sync of an
	// unchanged row leaves it alone); a team's seq also moves when its roster does.
	// Rows written before this migration keep seq 0. Nothing is ever deleted from
	// these tables, so rows with seq > n are everything that changed after n.
	`
CREATE TABLE change_seq (
	id  INTEGER PRIMARY KEY CHECK (id = 0),
	seq INTEGER NOT NULL
);
INSERT INTO change_seq (id, seq) VALUES (0, 0);

ALTER TABLE sources ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE people ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE teams ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE incidents ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pages ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE engagements ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE shifts ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;

CREATE INDEX sources_seq ON sources (seq);
CREATE INDEX people_seq ON people (seq);
CREATE INDEX teams_seq ON teams (seq);
CREATE INDEX incidents_seq ON incidents (seq);
CREATE INDEX pages_seq ON pages (seq);
CREATE INDEX engagements_seq ON engagements (seq);
CREATE INDEX shifts_seq ON shifts (seq);
`,

	// 3: hero_incidents_created_total is a counter: an incident is counted once, by the
	// team and severity it had when it was first stored, and stays counted there when a
	// later sync moves it to another team or severity, and when retention deletes it.
	// The insert trigger alone keeps incident_totals; the update and delete triggers
	// that moved or removed counts (and so made a series go down) are gone.
	`
DROP TRIGGER incidents_totals_update;
DROP TRIGGER incidents_totals_delete;
`,

	// 4: changes (deploys, rollbacks, config changes), keyed by (source, id) like every
	// record, stamped with the change sequence like the tables of migration 2. at is the
	// change's time; LoadHistory reads the changes at or after since through its index.
	`
CREATE TABLE changes (
	source  INTEGER NOT NULL,
	id      TEXT NOT NULL,
	team    INTEGER NOT NULL DEFAULT 0,
	service INTEGER NOT NULL DEFAULT 0,
	kind    INTEGER NOT NULL DEFAULT 0,
	at      INTEGER NOT NULL DEFAULT 0,
	seq     INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (source, id)
);
CREATE INDEX changes_at ON changes (at);
CREATE INDEX changes_seq ON changes (seq);

CREATE VIEW changes_view AS
SELECT s.name AS source, c.id, t.name AS team, v.name AS service, k.name AS kind, c.at
FROM changes c JOIN names s ON s.id = c.source JOIN names t ON t.id = c.team JOIN names v ON v.id = c.service
	JOIN names k ON k.id = c.kind;
`,
	// 5: retention. pruned_before is the cutoff of the last prune (unix ms): nothing that
	// ended before it is kept, and a write of such a record is skipped, so that a source
	// sending old data again cannot count an incident twice in incident_totals.
	`
CREATE TABLE retention (
	id            INTEGER PRIMARY KEY CHECK (id = 0),
	pruned_before INTEGER NOT NULL
);
INSERT INTO retention (id, pruned_before) VALUES (0, 0);
`,
}
