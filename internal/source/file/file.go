// Package file is a source that reads incident history from an NDJSON file (schema in
// docs/sources.md). It re-reads the file when its content changes; a malformed line is
// reported with its line number and skipped while the rest still loads.
package file

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/regularfile"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// maxLine bounds one NDJSON record; a longer line is reported and skipped.
const maxLine = 1 << 20

// batchSize is the number of records written per store transaction.
const batchSize = 5000

// Source reads one NDJSON file.
type Source struct {
	name, path string
	logger     *slog.Logger

	mu     sync.Mutex
	onCall bool // the last read had shift records
	read   bool // the file was read (not only hashed) in this process

	// seen is the size, modification time and hash of the last read, so that an
	// unchanged file is not hashed again on every sync.
	seen struct {
		size  int64
		mtime time.Time
		sum   string
	}
}

// New returns a file source named name reading path.
func New(name, path string, logger *slog.Logger) *Source {
	return &Source{name: name, path: path, logger: logger}
}

// Name implements source.Source.
func (s *Source) Name() string { return s.name }

// Type implements source.Source.
func (s *Source) Type() string { return Type }

// Capabilities implements source.Source: on-call data only when the file has shifts.
func (s *Source) Capabilities() incident.Capabilities {
	c, _ := s.KnownCapabilities()
	return c
}

// KnownCapabilities implements source.DataCapabilities: whether the file has shifts is
// known only once it has been read in this process; until then (an unchanged file after
// a restart or reload) what the store recorded stays in force.
func (s *Source) KnownCapabilities() (incident.Capabilities, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return incident.Capabilities{People: true, Pages: true, Engagements: true, OnCall: s.onCall}, s.read
}

// maxLoggedLineErrors is how many malformed lines a sync logs one by one.
const maxLoggedLineErrors = 10

// LineError is one malformed line.
type LineError struct {
	Line int
	Err  error
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Sync re-reads the file when its content hash differs from the cursor.
func (s *Source) Sync(ctx context.Context, cursor string, sink source.Sink) error {
	f, err := regularfile.Open(s.path)
	if err != nil {
		return fmt.Errorf("file source %q: %w", s.name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("file source %q: %w", s.name, err)
	}
	if cursor != "" && cursor == s.seen.sum && fi.Size() == s.seen.size && fi.ModTime().Equal(s.seen.mtime) {
		return nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("file source %q: read %s: %w", s.name, s.path, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	s.seen.size, s.seen.mtime, s.seen.sum = fi.Size(), fi.ModTime(), sum
	if sum == cursor {
		return nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("file source %q: rewind %s: %w", s.name, s.path, err)
	}
	// Malformed lines are counted; only the first few are kept for the log, so a file of
	// garbage costs no memory beyond one line.
	var lineErrs []LineError
	malformed, records := 0, 0
	hasShifts := false
	b := &source.Batch{}
	n := 0
	flush := func(final bool) error {
		if final {
			b.Cursor = sum
		} else if n < batchSize {
			return nil
		}
		err := sink.Write(ctx, s.name, b)
		b, n = &source.Batch{}, 0
		if err != nil {
			return fmt.Errorf("file source %q: %w", s.name, err)
		}
		return nil
	}
	err = Parse(f, func(r Record) error {
		n++
		records++
		switch {
		case r.Person != nil:
			b.People = append(b.People, *r.Person)
		case r.Team != nil:
			b.Teams = append(b.Teams, *r.Team)
		case r.Incident != nil:
			b.Incidents = append(b.Incidents, *r.Incident)
		case r.Page != nil:
			b.Pages = append(b.Pages, *r.Page)
		case r.Engagement != nil:
			b.Engagements = append(b.Engagements, *r.Engagement)
		case r.Shift != nil:
			hasShifts = true
			b.Shifts = append(b.Shifts, *r.Shift)
		case r.Change != nil:
			b.Changes = append(b.Changes, *r.Change)
		}
		return flush(false)
	}, func(le LineError) {
		malformed++
		if len(lineErrs) < maxLoggedLineErrors {
			lineErrs = append(lineErrs, le)
		}
	})
	if err != nil {
		return fmt.Errorf("file source %q: read %s: %w", s.name, s.path, err)
	}
	s.mu.Lock()
	s.onCall, s.read = hasShifts, true
	s.mu.Unlock()
	for _, le := range lineErrs {
		s.logger.Warn("malformed line skipped", "source", s.name, "path", s.path, "line", le.Line, "err", le.Err)
	}
	if malformed > len(lineErrs) {
		s.logger.Warn("more malformed lines skipped", "source", s.name, "path", s.path, "count", malformed-len(lineErrs))
	}
	if malformed > records {
		// More garbage than records: the wrong file, or a broken export. The records read
		// are kept (writes are idempotent), but the sync fails and the cursor stays, so
		// hero_source_up says so and the file is read again.
		return fmt.Errorf("file source %q: %s: %d of %d records malformed (first: %v)", s.name, s.path, malformed, malformed+records, lineErrs[0])
	}
	return flush(true)
}

// Record is one parsed line; exactly one field is set.
type Record struct {
	Person     *incident.Person
	Team       *incident.Team
	Incident   *incident.Incident
	Page       *incident.Page
	Engagement *incident.Engagement
	Shift      *incident.Shift
	Change     *incident.Change
}

// line is the union of every record type's fields, decoded strictly.
type line struct {
	Type             string   `json:"type"`
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Email            string   `json:"email"`
	TimeZone         string   `json:"time_zone"`
	Members          []string `json:"members"`
	Title            string   `json:"title"`
	Team             string   `json:"team"`
	Service          string   `json:"service"`
	Severity         string   `json:"severity"`
	EscalationPolicy string   `json:"escalation_policy"`
	RecurrenceKey    string   `json:"recurrence_key"`
	CreatedAt        *string  `json:"created_at"`
	AcknowledgedAt   *string  `json:"acknowledged_at"`
	ResolvedAt       *string  `json:"resolved_at"`
	IncidentID       string   `json:"incident_id"`
	PersonID         string   `json:"person_id"`
	At               *string  `json:"at"`
	Channel          string   `json:"channel"`
	Kind             string   `json:"kind"`
	Level            int      `json:"level"`
	Start            *string  `json:"start"`
	End              *string  `json:"end"`
}

// fields each type may carry besides "type".
var allowed = map[string]map[string]bool{
	"person":     set("id", "name", "email", "time_zone"),
	"team":       set("name", "members"),
	"incident":   set("id", "title", "team", "service", "severity", "escalation_policy", "recurrence_key", "created_at", "acknowledged_at", "resolved_at"),
	"page":       set("id", "incident_id", "person_id", "at", "channel"),
	"engagement": set("id", "incident_id", "person_id", "kind", "at"),
	"shift":      set("id", "person_id", "escalation_policy", "level", "start", "end"),
	"change":     set("id", "team", "service", "kind", "at"),
}

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

var (
	channels = set(incident.ChannelPush, incident.ChannelPhone, incident.ChannelSMS, incident.ChannelEmail, incident.ChannelAssignment)
	kinds    = set(incident.EngageAcknowledge, incident.EngageAccept, incident.EngageResolve, incident.EngageNote, incident.EngageAction)
	changes  = set(incident.ChangeDeploy, incident.ChangeRollback, incident.ChangeConfig, incident.ChangeOther, "")
	severity = set("critical", "high", "low", "unknown", "")
)

// Parse reads NDJSON records from r, calling emit for each valid one and bad for each
// malformed line. Blank lines and lines starting with '#' are ignored. Only an I/O error
// or an error from emit stops it.
func Parse(r io.Reader, emit func(Record) error, bad func(LineError)) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for num := 1; ; num++ {
		raw, tooLong, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if len(raw) == 0 && errors.Is(err, io.EOF) && !tooLong {
			return nil
		}
		switch t := bytes.TrimSpace(raw); {
		case tooLong:
			bad(LineError{num, fmt.Errorf("longer than %d bytes", maxLine)})
		case len(t) == 0 || t[0] == '#':
		default:
			rec, perr := parseLine(t)
			if perr != nil {
				bad(LineError{num, perr})
			} else if eerr := emit(rec); eerr != nil {
				return eerr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
	}
}

// readLine returns one line without its newline; tooLong when it exceeded maxLine (the
// rest of the line is consumed and dropped).
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > maxLine {
			tooLong = true
		} else {
			line = append(line, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return bytes.TrimRight(line, "\r\n"), tooLong, err
	}
}

func parseLine(raw []byte) (Record, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return Record{}, fmt.Errorf("invalid JSON: %w", err)
	}
	var l line
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return Record{}, fmt.Errorf("invalid record: %w", err)
	}
	fields, ok := allowed[l.Type]
	if !ok {
		return Record{}, fmt.Errorf("unknown type %q (want person, team, incident, page, engagement, shift or change)", l.Type)
	}
	for k := range keys {
		if k != "type" && !fields[k] {
			return Record{}, fmt.Errorf("field %q is not used by a %s record", k, l.Type)
		}
	}
	var err error
	tm := func(field string, v *string, required bool) time.Time {
		if err != nil {
			return time.Time{}
		}
		if v == nil || *v == "" {
			if required {
				err = fmt.Errorf("%s: required", field)
			}
			return time.Time{}
		}
		t, perr := time.Parse(time.RFC3339Nano, *v)
		if perr != nil {
			err = fmt.Errorf("%s: %q is not an RFC 3339 time", field, *v)
		}
		return t
	}
	need := func(field, v string) {
		if err == nil && v == "" {
			err = fmt.Errorf("%s: required", field)
		}
	}
	var rec Record
	switch l.Type {
	case "person":
		need("id", l.ID)
		if l.TimeZone != "" && err == nil {
			if _, lerr := time.LoadLocation(l.TimeZone); lerr != nil {
				err = fmt.Errorf("time_zone: unknown IANA time zone %q", l.TimeZone)
			}
		}
		rec.Person = &incident.Person{ID: l.ID, Name: l.Name, Email: l.Email, TimeZone: l.TimeZone}
	case "team":
		need("name", l.Name)
		rec.Team = &incident.Team{Name: l.Name, Members: l.Members}
	case "incident":
		need("id", l.ID)
		if !severity[l.Severity] {
			err = fmt.Errorf("severity: %q is not critical, high, low or unknown", l.Severity)
		}
		in := &incident.Incident{ID: l.ID, Title: l.Title, Team: l.Team, Service: l.Service,
			Severity: incident.ParseSeverity(l.Severity), EscalationPolicy: l.EscalationPolicy, RecurrenceKey: l.RecurrenceKey}
		in.CreatedAt = tm("created_at", l.CreatedAt, true)
		in.AcknowledgedAt = tm("acknowledged_at", l.AcknowledgedAt, false)
		in.ResolvedAt = tm("resolved_at", l.ResolvedAt, false)
		if err == nil && !in.ResolvedAt.IsZero() && in.ResolvedAt.Before(in.CreatedAt) {
			err = errors.New("resolved_at: before created_at")
		}
		if err == nil && !in.AcknowledgedAt.IsZero() && in.AcknowledgedAt.Before(in.CreatedAt) {
			err = errors.New("acknowledged_at: before created_at")
		}
		rec.Incident = in
	case "page":
		need("id", l.ID)
		need("incident_id", l.IncidentID)
		need("person_id", l.PersonID)
		if err == nil && !channels[l.Channel] {
			err = fmt.Errorf("channel: %q is not push, phone, sms, email or assignment", l.Channel)
		}
		rec.Page = &incident.Page{ID: l.ID, IncidentID: l.IncidentID, PersonID: l.PersonID, Channel: l.Channel}
		rec.Page.At = tm("at", l.At, true)
	case "engagement":
		need("id", l.ID)
		need("incident_id", l.IncidentID)
		need("person_id", l.PersonID)
		if err == nil && !kinds[l.Kind] {
			err = fmt.Errorf("kind: %q is not acknowledge, accept, resolve, note or action", l.Kind)
		}
		rec.Engagement = &incident.Engagement{ID: l.ID, IncidentID: l.IncidentID, PersonID: l.PersonID, Kind: l.Kind}
		rec.Engagement.At = tm("at", l.At, true)
	case "shift":
		need("id", l.ID)
		need("person_id", l.PersonID)
		need("escalation_policy", l.EscalationPolicy)
		sh := &incident.Shift{ID: l.ID, PersonID: l.PersonID, EscalationPolicy: l.EscalationPolicy, Level: l.Level}
		sh.Start = tm("start", l.Start, true)
		sh.End = tm("end", l.End, false)
		if err == nil && !sh.End.IsZero() && !sh.End.After(sh.Start) {
			err = errors.New("end: not after start")
		}
		rec.Shift = sh
	case "change":
		need("id", l.ID)
		if err == nil && !changes[l.Kind] {
			err = fmt.Errorf("kind: %q is not deploy, rollback, config or other", l.Kind)
		}
		rec.Change = &incident.Change{ID: l.ID, Team: l.Team, Service: l.Service, Kind: incident.ParseChangeKind(l.Kind)}
		rec.Change.Time = tm("at", l.At, true)
	}
	if err != nil {
		return Record{}, err
	}
	return rec, nil
}
