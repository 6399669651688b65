package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

var _ source.Sink = (*Store)(nil)

// defaultCheckEvery is how many rows Write and LoadHistory handle between checks of
// their context. Write's per-row statements run without the context: watching it
// costs more per row than the row itself.
const defaultCheckEvery = 1024

// millis converts a time to unix milliseconds, the zero time to 0.
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMillis converts unix milliseconds to a UTC time, 0 to the zero time.
func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// The upserts. Each replaces every column of the stored record; the WHERE clause
// skips rows that did not change, so a re-sync of an unchanged window writes nothing.
// The last parameter is the transaction's change sequence (see nextSeq), stamped on
// every row inserted or changed.
const (
	nextChangeSeq  = `UPDATE change_seq SET seq = seq + 1 WHERE id = 0 RETURNING seq`
	upsertSourceID = `INSERT INTO sources (source, seq) VALUES (?, ?) ON CONFLICT (source) DO NOTHING`

	upsertPerson = `INSERT INTO people (source, person, name, email, time_zone, seq) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (source, person) DO UPDATE SET name = excluded.name, email = excluded.email, time_zone = excluded.time_zone,
	seq = excluded.seq
WHERE (name, email, time_zone) IS NOT (excluded.name, excluded.email, excluded.time_zone)`

	upsertTeam        = `INSERT INTO teams (source, team, seq) VALUES (?, ?, ?) ON CONFLICT (source, team) DO NOTHING`
	selectTeamMembers = `SELECT person FROM team_members WHERE source = ? AND team = ? ORDER BY pos`
	touchTeam         = `UPDATE teams SET seq = ? WHERE source = ? AND team = ?`
	deleteTeamMembers = `DELETE FROM team_members WHERE source = ? AND team = ?`
	insertTeamMember  = `INSERT INTO team_members (source, team, person, pos) VALUES (?, ?, ?, ?)
ON CONFLICT (source, team, person) DO NOTHING`

	upsertIncident = `INSERT INTO incidents (source, id, title, team, service, severity, escalation_policy,
	recurrence_key, created_at, acknowledged_at, resolved_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source, id) DO UPDATE SET title = excluded.title, team = excluded.team,
	service = excluded.service, severity = excluded.severity, escalation_policy = excluded.escalation_policy,
	recurrence_key = excluded.recurrence_key, created_at = excluded.created_at,
	acknowledged_at = excluded.acknowledged_at, resolved_at = excluded.resolved_at, seq = excluded.seq
WHERE (title, team, service, severity, escalation_policy, recurrence_key, created_at, acknowledged_at, resolved_at)
	IS NOT (excluded.title, excluded.team, excluded.service, excluded.severity, excluded.escalation_policy,
	excluded.recurrence_key, excluded.created_at, excluded.acknowledged_at, excluded.resolved_at)`

	// upsertIncidentKeepResolved is upsertIncident for batches with KeepResolved: a
	// stored resolved_at is kept when the new record says open.
	upsertIncidentKeepResolved = `INSERT INTO incidents (source, id, title, team, service, severity, escalation_policy,
	recurrence_key, created_at, acknowledged_at, resolved_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source, id) DO UPDATE SET title = excluded.title, team = excluded.team,
	service = excluded.service, severity = excluded.severity, escalation_policy = excluded.escalation_policy,
	recurrence_key = excluded.recurrence_key, created_at = excluded.created_at,
	acknowledged_at = excluded.acknowledged_at,
	resolved_at = CASE WHEN excluded.resolved_at = 0 THEN resolved_at ELSE excluded.resolved_at END, seq = excluded.seq
WHERE (title, team, service, severity, escalation_policy, recurrence_key, created_at, acknowledged_at, resolved_at)
	IS NOT (excluded.title, excluded.team, excluded.service, excluded.severity, excluded.escalation_policy,
	excluded.recurrence_key, excluded.created_at, excluded.acknowledged_at,
	CASE WHEN excluded.resolved_at = 0 THEN resolved_at ELSE excluded.resolved_at END)`

	upsertPage = `INSERT INTO pages (source, id, incident_id, person, at, channel, seq) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source, id) DO UPDATE SET incident_id = excluded.incident_id, person = excluded.person,
	at = excluded.at, channel = excluded.channel, seq = excluded.seq
WHERE (incident_id, person, at, channel) IS NOT (excluded.incident_id, excluded.person, excluded.at, excluded.channel)`

	upsertEngagement = `INSERT INTO engagements (source, id, incident_id, person, kind, at, seq) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source, id) DO UPDATE SET incident_id = excluded.incident_id, person = excluded.person,
	kind = excluded.kind, at = excluded.at, seq = excluded.seq
WHERE (incident_id, person, kind, at) IS NOT (excluded.incident_id, excluded.person, excluded.kind, excluded.at)`

	upsertShift = `INSERT INTO shifts (source, id, person, escalation_policy, level, start_at, end_at, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source, id) DO UPDATE SET person = excluded.person, escalation_policy = excluded.escalation_policy,
	level = excluded.level, start_at = excluded.start_at, end_at = excluded.end_at, seq = excluded.seq
WHERE (person, escalation_policy, level, start_at, end_at)
	IS NOT (excluded.person, excluded.escalation_policy, excluded.level, excluded.start_at, excluded.end_at)`

	upsertChange = `INSERT INTO changes (source, id, team, service, kind, at, seq) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source, id) DO UPDATE SET team = excluded.team, service = excluded.service, kind = excluded.kind,
	at = excluded.at, seq = excluded.seq
WHERE (team, service, kind, at) IS NOT (excluded.team, excluded.service, excluded.kind, excluded.at)`

	upsertCursor = `INSERT INTO cursors (source, cursor, updated_at) VALUES (?, ?, ?)
ON CONFLICT (source) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`
)

// Write stores a batch of source in one transaction: every record is upserted by
// (source, id), a team's members are replaced as a whole, and b.Cursor, when not
// empty, is saved in the same transaction. The records' Source fields are ignored;
// everything is stored under source. On error nothing of the batch is stored.
func (s *Store) Write(ctx context.Context, src string, b *source.Batch) (err error) {
	if src == "" {
		return errors.New("store: write: empty source name")
	}
	if b == nil {
		return nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: write batch of %q: begin: %w", src, err)
	}
	ids := newNameIDs(ctx, tx, s.names)
	defer ids.close()
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	seq, err := nextSeq(ctx, tx)
	if err != nil {
		return fmt.Errorf("store: write batch of %q: %w", src, err)
	}
	srcID, err := ids.id(src)
	if err != nil {
		return fmt.Errorf("store: write source %q: %w", src, err)
	}
	if _, err := tx.ExecContext(ctx, upsertSourceID, srcID, seq); err != nil {
		return fmt.Errorf("store: write source %q: %w", src, err)
	}
	var pb int64
	if err := tx.QueryRowContext(ctx, `SELECT pruned_before FROM retention WHERE id = 0`).Scan(&pb); err != nil {
		return fmt.Errorf("store: write batch of %q: read retention: %w", src, err)
	}
	if b, err = dropPruned(ctx, tx, srcID, pb, b); err != nil {
		return fmt.Errorf("store: write batch of %q: %w", src, err)
	}
	w := &writer{scrub: s.scrub.Load(), ctx: ctx, tx: tx, src: srcID, seq: seq, ids: ids, checkEvery: s.checkEvery}
	if err := w.people(b.People); err != nil {
		return fmt.Errorf("store: write people of %q: %w", src, err)
	}
	if err := w.teams(b.Teams); err != nil {
		return fmt.Errorf("store: write teams of %q: %w", src, err)
	}
	if err := w.incidents(b.Incidents, b.KeepResolved); err != nil {
		return fmt.Errorf("store: write incidents of %q: %w", src, err)
	}
	if err := w.pages(b.Pages); err != nil {
		return fmt.Errorf("store: write pages of %q: %w", src, err)
	}
	if err := w.engagements(b.Engagements); err != nil {
		return fmt.Errorf("store: write engagements of %q: %w", src, err)
	}
	if err := w.shifts(b.Shifts); err != nil {
		return fmt.Errorf("store: write shifts of %q: %w", src, err)
	}
	if err := w.changes(b.Changes); err != nil {
		return fmt.Errorf("store: write changes of %q: %w", src, err)
	}
	if b.Cursor != "" {
		if _, err := tx.ExecContext(ctx, upsertCursor, src, b.Cursor, time.Now().UnixMilli()); err != nil {
			return fmt.Errorf("store: write cursor of %q: %w", src, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("store: write batch of %q: %w", src, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: write batch of %q: commit: %w", src, err)
	}
	ids.committed()
	return nil
}

// nextSeq takes the next change sequence number for the rows the write transaction
// tx changes. Write transactions hold the write lock from their BEGIN (_txlock
// immediate), so sequence numbers commit in order: a reader that sees change_seq = n
// sees every row stamped with n or less, and no other.
func nextSeq(ctx context.Context, tx *sql.Tx) (int64, error) {
	var seq int64
	if err := tx.QueryRowContext(ctx, nextChangeSeq).Scan(&seq); err != nil {
		return 0, fmt.Errorf("next change seq: %w", err)
	}
	return seq, nil
}

// writer writes the parts of one batch inside its transaction.
type writer struct {
	scrub      *PersonScrub
	ctx        context.Context
	tx         *sql.Tx
	src        int64 // names id of the source
	seq        int64 // the transaction's change sequence number
	ids        *nameIDs
	checkEvery int
}

// prepare prepares query in the transaction.
func (w *writer) prepare(query string) (*sql.Stmt, error) {
	return w.tx.PrepareContext(w.ctx, query)
}

// tick is called once per row; it checks the context every checkEvery rows.
func (w *writer) tick(i int) error {
	if i%w.checkEvery == w.checkEvery-1 {
		return w.ctx.Err()
	}
	return nil
}

// idsOf returns the names ids of names, stopping at the first error.
func (w *writer) idsOf(names ...string) ([4]int64, error) {
	var out [4]int64
	for i, n := range names {
		id, err := w.ids.id(n)
		if err != nil {
			return out, err
		}
		out[i] = id
	}
	return out, nil
}

func (w *writer) people(people []incident.Person) error {
	if len(people) == 0 {
		return nil
	}
	st, err := w.prepare(upsertPerson)
	if err != nil {
		return err
	}
	defer st.Close()
	bg := context.Background()
	for i := range people {
		p := &people[i]
		if p.ID == "" {
			return fmt.Errorf("person %d has no id", i)
		}
		id, err := w.ids.id(p.ID)
		if err != nil {
			return err
		}
		name, email := p.Name, p.Email
		if w.scrub != nil {
			name, email = (*w.scrub)(name, email)
		}
		if _, err := st.ExecContext(bg, w.src, id, name, email, p.TimeZone, w.seq); err != nil {
			return fmt.Errorf("person %q: %w", p.ID, err)
		}
		if err := w.tick(i); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) teams(teams []incident.Team) error {
	if len(teams) == 0 {
		return nil
	}
	up, err := w.prepare(upsertTeam)
	if err != nil {
		return err
	}
	defer up.Close()
	del, err := w.prepare(deleteTeamMembers)
	if err != nil {
		return err
	}
	defer del.Close()
	ins, err := w.prepare(insertTeamMember)
	if err != nil {
		return err
	}
	defer ins.Close()
	sel, err := w.prepare(selectTeamMembers)
	if err != nil {
		return err
	}
	defer sel.Close()
	touch, err := w.prepare(touchTeam)
	if err != nil {
		return err
	}
	defer touch.Close()
	bg := context.Background()
	var roster []int64
	for i := range teams {
		t := &teams[i]
		if t.Name == "" {
			return fmt.Errorf("team %d has no name", i)
		}
		team, err := w.ids.id(t.Name)
		if err != nil {
			return err
		}
		if _, err := up.ExecContext(bg, w.src, team, w.seq); err != nil {
			return fmt.Errorf("team %q: %w", t.Name, err)
		}
		// The roster as it would be stored (a repeated member once, at its first
		// place); when the stored one is the same, the team is left alone.
		roster = roster[:0]
		for _, m := range t.Members {
			person, err := w.ids.id(m)
			if err != nil {
				return err
			}
			if !slices.Contains(roster, person) {
				roster = append(roster, person)
			}
		}
		same, err := sameRoster(sel, w.src, team, roster)
		if err != nil {
			return fmt.Errorf("team %q: read members: %w", t.Name, err)
		}
		if same {
			if err := w.tick(i); err != nil {
				return err
			}
			continue
		}
		if _, err := touch.ExecContext(bg, w.seq, w.src, team); err != nil {
			return fmt.Errorf("team %q: %w", t.Name, err)
		}
		if _, err := del.ExecContext(bg, w.src, team); err != nil {
			return fmt.Errorf("team %q: delete members: %w", t.Name, err)
		}
		for pos, m := range t.Members {
			person, err := w.ids.id(m)
			if err != nil {
				return err
			}
			if _, err := ins.ExecContext(bg, w.src, team, person, pos); err != nil {
				return fmt.Errorf("team %q: member %q: %w", t.Name, m, err)
			}
		}
		if err := w.tick(i); err != nil {
			return err
		}
	}
	return nil
}

// sameRoster reports whether the stored members of (src, team), in order, are roster.
func sameRoster(sel *sql.Stmt, src, team int64, roster []int64) (bool, error) {
	rows, err := sel.Query(src, team)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	n := 0
	same := true
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			return false, err
		}
		if n >= len(roster) || roster[n] != p {
			same = false
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return false, err
	}
	return same && n == len(roster), nil
}

func (w *writer) incidents(incs []incident.Incident, keepResolved bool) error {
	if len(incs) == 0 {
		return nil
	}
	q := upsertIncident
	if keepResolved {
		q = upsertIncidentKeepResolved
	}
	st, err := w.prepare(q)
	if err != nil {
		return err
	}
	defer st.Close()
	bg := context.Background()
	for i := range incs {
		in := &incs[i]
		if in.ID == "" {
			return fmt.Errorf("incident %d has no id", i)
		}
		n, err := w.idsOf(in.Team, in.Service, string(in.Severity), in.EscalationPolicy)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(bg, w.src, in.ID, in.Title, n[0], n[1], n[2], n[3], in.RecurrenceKey,
			millis(in.CreatedAt), millis(in.AcknowledgedAt), millis(in.ResolvedAt), w.seq); err != nil {
			return fmt.Errorf("incident %q: %w", in.ID, err)
		}
		if err := w.tick(i); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) pages(pages []incident.Page) error {
	if len(pages) == 0 {
		return nil
	}
	st, err := w.prepare(upsertPage)
	if err != nil {
		return err
	}
	defer st.Close()
	bg := context.Background()
	for i := range pages {
		p := &pages[i]
		if p.ID == "" {
			return fmt.Errorf("page %d has no id", i)
		}
		n, err := w.idsOf(p.PersonID, p.Channel)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(bg, w.src, p.ID, p.IncidentID, n[0], millis(p.At), n[1], w.seq); err != nil {
			return fmt.Errorf("page %q: %w", p.ID, err)
		}
		if err := w.tick(i); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) engagements(engs []incident.Engagement) error {
	if len(engs) == 0 {
		return nil
	}
	st, err := w.prepare(upsertEngagement)
	if err != nil {
		return err
	}
	defer st.Close()
	bg := context.Background()
	for i := range engs {
		e := &engs[i]
		if e.ID == "" {
			return fmt.Errorf("engagement %d has no id", i)
		}
		n, err := w.idsOf(e.PersonID, e.Kind)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(bg, w.src, e.ID, e.IncidentID, n[0], n[1], millis(e.At), w.seq); err != nil {
			return fmt.Errorf("engagement %q: %w", e.ID, err)
		}
		if err := w.tick(i); err != nil {
			return err
		}
	}
	return nil
}

func (w *writer) shifts(shifts []incident.Shift) error {
	if len(shifts) == 0 {
		return nil
	}
	st, err := w.prepare(upsertShift)
	if err != nil {
		return err
	}
	defer st.Close()
	bg := context.Background()
	for i := range shifts {
		sh := &shifts[i]
		if sh.ID == "" {
			return fmt.Errorf("shift %d has no id", i)
		}
		n, err := w.idsOf(sh.PersonID, sh.EscalationPolicy)
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(bg, w.src, sh.ID, n[0], n[1], int64(sh.Level),
			millis(sh.Start), millis(sh.End), w.seq); err != nil {
			return fmt.Errorf("shift %q: %w", sh.ID, err)
		}
		if err := w.tick(i); err != nil {
			return err
		}
	}
	return nil
}

// changes upserts changes; a kind other than the four of the model is stored as
// "other". A change must have an id and a time.
func (w *writer) changes(changes []incident.Change) error {
	if len(changes) == 0 {
		return nil
	}
	st, err := w.prepare(upsertChange)
	if err != nil {
		return err
	}
	defer st.Close()
	bg := context.Background()
	for i := range changes {
		ch := &changes[i]
		if ch.ID == "" {
			return fmt.Errorf("change %d has no id", i)
		}
		if ch.Time.IsZero() {
			return fmt.Errorf("change %q has no time", ch.ID)
		}
		n, err := w.idsOf(ch.Team, ch.Service, incident.ParseChangeKind(ch.Kind))
		if err != nil {
			return err
		}
		if _, err := st.ExecContext(bg, w.src, ch.ID, n[0], n[1], n[2], millis(ch.Time), w.seq); err != nil {
			return fmt.Errorf("change %q: %w", ch.ID, err)
		}
		if err := w.tick(i); err != nil {
			return err
		}
	}
	return nil
}

// Cursor returns the cursor last saved for source, "" when there is none.
func (s *Store) Cursor(ctx context.Context, src string) (string, error) {
	var c string
	err := s.db.QueryRowContext(ctx, `SELECT cursor FROM cursors WHERE source = ?`, src).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: read cursor of %q: %w", src, err)
	}
	return c, nil
}

// RegisterSource records a configured source with its type and capabilities;
// LoadHistory reports it in History.Sources. Registering again replaces both.
func (s *Store) RegisterSource(ctx context.Context, name, typ string, caps incident.Capabilities) (err error) {
	if name == "" {
		return errors.New("store: register source: empty name")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: register source %q: %w", name, err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	ids := newNameIDs(ctx, tx, s.names)
	defer ids.close()
	id, err := ids.id(name)
	if err != nil {
		return fmt.Errorf("store: register source %q: %w", name, err)
	}
	seq, err := nextSeq(ctx, tx)
	if err != nil {
		return fmt.Errorf("store: register source %q: %w", name, err)
	}
	// seq moves only when what LoadHistory reads (the capabilities) changes, not with
	// registered_at on every sync.
	_, err = tx.ExecContext(ctx, `INSERT INTO sources (source, type, cap_people, cap_pages, cap_engagements, cap_oncall, registered_at, seq)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source) DO UPDATE SET type = excluded.type, cap_people = excluded.cap_people, cap_pages = excluded.cap_pages,
	cap_engagements = excluded.cap_engagements, cap_oncall = excluded.cap_oncall, registered_at = excluded.registered_at,
	seq = CASE WHEN (cap_people, cap_pages, cap_engagements, cap_oncall)
		IS NOT (excluded.cap_people, excluded.cap_pages, excluded.cap_engagements, excluded.cap_oncall)
		THEN excluded.seq ELSE seq END`,
		id, typ, boolInt(caps.People), boolInt(caps.Pages), boolInt(caps.Engagements), boolInt(caps.OnCall),
		time.Now().UnixMilli(), seq)
	if err != nil {
		return fmt.Errorf("store: register source %q: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: register source %q: %w", name, err)
	}
	ids.committed()
	return nil
}
