package opsgenie

import (
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func containsAt(s string) bool { return strings.Contains(s, "@") }

// person resolves a username (as logs, notes and the report name people) to a user id;
// "" when it is no user of the account (System, an integration, an API key).
func (r *run) person(username string) string {
	if r.ref == nil {
		return ""
	}
	return r.ref.byUsername[lower(username)]
}

// mapAll turns the detailed alerts into model records.
func (r *run) mapAll(ids []string) *source.Batch {
	b := &source.Batch{}
	for _, id := range ids {
		a := r.alerts[id]
		d := r.details[id]
		in := r.mapAlert(a)
		b.Incidents = append(b.Incidents, in)
		pages, engs := r.mapDetails(a, in, d)
		b.Pages = append(b.Pages, pages...)
		b.Engagements = append(b.Engagements, engs...)
	}
	return b
}

func (r *run) mapAlert(a *alert) incident.Incident {
	created := a.CreatedAt.UTC()
	in := incident.Incident{
		Source:        r.s.cfg.Name,
		ID:            a.ID,
		Title:         a.Message,
		Severity:      severity(a.Priority),
		RecurrenceKey: a.Alias,
		CreatedAt:     created,
	}
	if a.Integration != nil {
		in.Service = a.Integration.Name
	}
	for _, rs := range a.Responders {
		if rs.Type == "team" && in.Team == "" && r.ref != nil {
			in.Team = r.ref.teamName[rs.ID]
			in.EscalationPolicy = rs.ID
		}
	}
	if in.EscalationPolicy == "" && r.ref != nil {
		for _, rs := range a.Responders {
			switch rs.Type {
			case "schedule":
				in.EscalationPolicy = r.ref.scheduleKey[rs.ID]
			case "escalation":
				in.EscalationPolicy = r.ref.escKey[rs.ID]
			}
			if in.EscalationPolicy != "" {
				break
			}
		}
	}
	if a.Report != nil && a.Report.AckTime != nil && *a.Report.AckTime >= 0 && (a.Acknowledged || a.Report.AcknowledgedBy != "" || *a.Report.AckTime > 0) {
		in.AcknowledgedAt = created.Add(time.Duration(*a.Report.AckTime) * time.Millisecond)
	}
	if a.Status == "closed" {
		switch {
		case a.Report != nil && a.Report.CloseTime != nil && *a.Report.CloseTime >= 0:
			in.ResolvedAt = created.Add(time.Duration(*a.Report.CloseTime) * time.Millisecond)
		case a.UpdatedAt != nil:
			in.ResolvedAt = a.UpdatedAt.UTC()
		default:
			in.ResolvedAt = created
		}
	}
	return in
}

// severity maps an Opsgenie priority: P1 → critical, P2 → high, P3, P4, P5 → low.
func severity(p string) incident.Severity {
	switch strings.ToUpper(strings.TrimSpace(p)) {
	case "P1":
		return incident.SeverityCritical
	case "P2":
		return incident.SeverityHigh
	case "P3", "P4", "P5":
		return incident.SeverityLow
	}
	return incident.SeverityUnknown
}

var (
	// "[SMS] sent to ana@example.com", "[Voice] call to …", "[Mobile] notification …"
	logChannel = regexp.MustCompile(`\[([A-Za-z ._-]+)\]`)
	wordRe     = regexp.MustCompile(`[^\s,;:()\[\]"']+`)
)

// channelOf normalises a notification method (a recipient's method, or the bracketed
// tag of a log line): SMS → sms, Voice → phone, Mobile (the app's push) → push, Email →
// email. "" when it names no notification channel (e.g. "Acknowledge").
func channelOf(method string) string {
	switch lower(method) {
	case "sms", "text":
		return incident.ChannelSMS
	case "voice", "phone", "call":
		return incident.ChannelPhone
	case "mobile", "push", "mobile app", "app":
		return incident.ChannelPush
	case "email", "e-mail", "mail":
		return incident.ChannelEmail
	}
	return ""
}

// notifiedUser finds the account user a notification log line names.
func (r *run) notifiedUser(text string) string {
	for _, w := range wordRe.FindAllString(text, -1) {
		if id := r.person(strings.TrimRight(w, ".")); id != "" {
			return id
		}
	}
	return ""
}

// logKind is the engagement kind of a log line written by a person; "" for none.
func logKind(text string) string {
	t := lower(text)
	switch {
	case strings.Contains(t, "unacknowledged"):
		return ""
	case strings.Contains(t, "acknowledged"):
		return incident.EngageAcknowledge
	case strings.Contains(t, "closed"):
		return incident.EngageResolve
	case strings.Contains(t, "assigned"), strings.Contains(t, "escalated"), strings.Contains(t, "took ownership"),
		strings.Contains(t, "added responder"), strings.Contains(t, "executed"):
		return incident.EngageAction
	}
	return ""
}

func (r *run) mapDetails(a *alert, in incident.Incident, d *details) ([]incident.Page, []incident.Engagement) {
	name := r.s.cfg.Name
	var pages []incident.Page
	var engs []incident.Engagement
	if d == nil {
		return nil, nil
	}
	paged := map[string]bool{}   // users with a notification log line
	engaged := map[string]bool{} // kind/user from logs
	for _, l := range d.logs {
		at := l.CreatedAt.UTC()
		if m := logChannel.FindStringSubmatch(l.Log); m != nil && channelOf(m[1]) != "" {
			if uid := r.notifiedUser(l.Log); uid != "" {
				pages = append(pages, incident.Page{Source: name, ID: a.ID + "/log/" + l.Offset, IncidentID: a.ID,
					PersonID: uid, At: at, Channel: channelOf(m[1])})
				paged[uid] = true
			}
			continue
		}
		if strings.Contains(lower(l.Log), "added note") {
			continue // the note itself comes from /notes
		}
		uid := r.person(l.Owner)
		kind := logKind(l.Log)
		if uid == "" || kind == "" {
			continue // no person acted, or no act (a trigger, a rule, a notification policy)
		}
		engs = append(engs, incident.Engagement{Source: name, ID: a.ID + "/log/" + l.Offset, IncidentID: a.ID,
			PersonID: uid, Kind: kind, At: at})
		engaged[kind+"/"+uid] = true
	}
	for _, n := range d.notes {
		if uid := r.person(n.Owner); uid != "" {
			engs = append(engs, incident.Engagement{Source: name, ID: a.ID + "/note/" + n.Offset, IncidentID: a.ID,
				PersonID: uid, Kind: incident.EngageNote, At: n.CreatedAt.UTC()})
		}
	}
	// The report names who acknowledged and closed first; used when no log line did.
	if rep := a.Report; rep != nil {
		if uid := r.person(rep.AcknowledgedBy); uid != "" && !in.AcknowledgedAt.IsZero() && !engaged[incident.EngageAcknowledge+"/"+uid] {
			engs = append(engs, incident.Engagement{Source: name, ID: a.ID + "/report/ack", IncidentID: a.ID,
				PersonID: uid, Kind: incident.EngageAcknowledge, At: in.AcknowledgedAt})
		}
		if uid := r.person(rep.ClosedBy); uid != "" && !in.ResolvedAt.IsZero() && !engaged[incident.EngageResolve+"/"+uid] {
			engs = append(engs, incident.Engagement{Source: name, ID: a.ID + "/report/close", IncidentID: a.ID,
				PersonID: uid, Kind: incident.EngageResolve, At: in.ResolvedAt})
		}
	}
	// A recipient with a notification method but no notification log line: one page at
	// the time it became a recipient.
	for _, rc := range d.recipients {
		if rc.User == nil || rc.User.ID == "" || paged[rc.User.ID] || rc.CreatedAt == nil {
			continue
		}
		ch := channelOf(rc.Method)
		if ch == "" || lower(rc.State) == "notactive" {
			continue
		}
		pages = append(pages, incident.Page{Source: name, ID: a.ID + "/recipient/" + rc.User.ID, IncidentID: a.ID,
			PersonID: rc.User.ID, At: rc.CreatedAt.UTC(), Channel: ch})
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].ID < pages[j].ID })
	sort.Slice(engs, func(i, j int) bool { return engs[i].ID < engs[j].ID })
	return pages, engs
}
