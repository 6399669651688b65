package incidentio

import (
	"sort"
	"strings"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
	"github.com/hero-exporter/hero_exporter/internal/source"
)

// resolvedCategory: an incident in post-incident ("learning") or closed is resolved.
func resolvedCategory(c string) bool { return c == "learning" || c == "closed" }

// mapAll turns the run's incidents, escalations and updates into model records.
func (r *run) mapAll(ids []string) *source.Batch {
	b := &source.Batch{}
	for _, id := range ids {
		in := r.incidents[id]
		escs := r.escalationsOf(id)
		out := r.mapIncident(in, escs)
		name := r.s.cfg.Name
		mark := len(b.Engagements)
		for _, e := range escs {
			for _, ev := range e.Events {
				for _, u := range ev.Users {
					if u.ID == "" {
						continue
					}
					rid := id + "/esc/" + ev.ID + "/" + u.ID
					switch ev.Event {
					case "notified_users":
						// The API says who was notified, not how: the channel is
						// approximated as push (incident.io's app notification).
						b.Pages = append(b.Pages, incident.Page{Source: name, ID: rid, IncidentID: id, PersonID: u.ID,
							At: ev.OccurredAt.UTC(), Channel: incident.ChannelPush})
					case "acked":
						b.Engagements = append(b.Engagements, incident.Engagement{Source: name, ID: rid, IncidentID: id,
							PersonID: u.ID, Kind: incident.EngageAcknowledge, At: ev.OccurredAt.UTC()})
					}
				}
			}
		}
		// Updates by a person: the one that moved it into a resolved category is a
		// resolve, any other a note.
		prevResolved := false
		for _, u := range r.sortedUpdates(id) {
			res := resolvedCategory(u.NewIncidentStatus.Category) || ended(u.NewIncidentStatus.Category)
			if u.Updater != nil && u.Updater.User != nil && u.Updater.User.ID != "" {
				kind := incident.EngageNote
				if res && !prevResolved {
					kind = incident.EngageResolve
				}
				b.Engagements = append(b.Engagements, incident.Engagement{Source: name, ID: id + "/update/" + u.ID,
					IncidentID: id, PersonID: u.Updater.User.ID, Kind: kind, At: u.CreatedAt.UTC()})
			}
			prevResolved = res
		}
		// Role assignees (lead, custom roles) acted on the incident. The API keeps no
		// assignment time: the engagement is dated at the assignee's first other act on
		// this incident (an acknowledgement or an update), else at its creation. The
		// reporter role is who declared it, not a responder.
		firstAct := map[string]time.Time{}
		for _, e := range b.Engagements[mark:] {
			if t, ok := firstAct[e.PersonID]; !ok || e.At.Before(t) {
				firstAct[e.PersonID] = e.At
			}
		}
		for _, ra := range in.IncidentRoleAssignments {
			if ra.Assignee == nil || ra.Assignee.ID == "" || ra.Role.RoleType == "reporter" {
				continue
			}
			at, ok := firstAct[ra.Assignee.ID]
			if !ok || at.Before(out.CreatedAt) {
				at = out.CreatedAt
			}
			b.Engagements = append(b.Engagements, incident.Engagement{Source: name, ID: id + "/role/" + ra.Role.ID,
				IncidentID: id, PersonID: ra.Assignee.ID, Kind: incident.EngageAction, At: at})
		}
		b.Incidents = append(b.Incidents, out)
	}
	return b
}

func (r *run) escalationsOf(id string) []*escalation {
	var out []*escalation
	for eid := range r.byIncident[id] {
		out = append(out, r.escalations[eid])
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(*out[j].CreatedAt) {
			return out[i].CreatedAt.Before(*out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (r *run) sortedUpdates(id string) []incidentUpdate {
	us := r.updates[id]
	sort.SliceStable(us, func(i, j int) bool { return us[i].CreatedAt.Before(*us[j].CreatedAt) })
	return us
}

func (r *run) mapIncident(in *ioIncident, escs []*escalation) incident.Incident {
	created := in.CreatedAt.UTC()
	out := incident.Incident{
		Source:    r.s.cfg.Name,
		ID:        in.ID,
		Title:     in.Name,
		Team:      fieldValue(in, r.s.cfg.TeamField),
		Service:   fieldValue(in, r.s.cfg.ServiceField),
		Severity:  severity(in.Severity),
		CreatedAt: created,
	}
	for _, e := range escs {
		if out.EscalationPolicy == "" {
			out.EscalationPolicy = e.EscalationPathID
		}
		for _, a := range e.RelatedAlerts {
			if out.RecurrenceKey == "" && a.DeduplicationKey != "" {
				out.RecurrenceKey = a.DeduplicationKey
			}
		}
		for _, ev := range e.Events {
			if ev.Event == "acked" && (out.AcknowledgedAt.IsZero() || ev.OccurredAt.Before(out.AcknowledgedAt)) {
				out.AcknowledgedAt = ev.OccurredAt.UTC()
			}
		}
	}
	if out.EscalationPolicy == "" && r.ref != nil {
		// Declared without paging anyone: checked against the on-call of the team's
		// escalation path (the Team field's catalog entry is the path's team).
		if tid := fieldEntryID(in, r.s.cfg.TeamField); tid != "" {
			out.EscalationPolicy = r.ref.teamPath[tid]
		}
	}
	if !out.AcknowledgedAt.IsZero() && out.AcknowledgedAt.Before(created) {
		out.AcknowledgedAt = created // acknowledged (the alert) before the incident was declared
	}
	if c := in.IncidentStatus.Category; resolvedCategory(c) || ended(c) {
		out.ResolvedAt = r.resolvedAt(in)
		if out.ResolvedAt.Before(created) {
			out.ResolvedAt = created
		}
	}
	return out
}

// resolvedAt: the org's "Resolved at" timestamp when it has one, else the first update
// into post-incident or closed (for a merged or canceled incident: into that status),
// else updated_at.
func (r *run) resolvedAt(in *ioIncident) time.Time {
	for _, tv := range in.IncidentTimestampValues {
		if strings.EqualFold(strings.TrimSpace(tv.IncidentTimestamp.Name), "resolved at") && tv.Value != nil && tv.Value.Value != nil {
			return tv.Value.Value.UTC()
		}
	}
	for _, u := range r.sortedUpdates(in.ID) {
		if c := u.NewIncidentStatus.Category; resolvedCategory(c) || ended(c) {
			return u.CreatedAt.UTC()
		}
	}
	if in.UpdatedAt != nil {
		return in.UpdatedAt.UTC()
	}
	return in.CreatedAt.UTC()
}

// fieldValue is the first value of the custom field named name: a catalog entry's
// name, an option's value, or text.
func fieldValue(in *ioIncident, name string) string {
	for _, e := range in.CustomFieldEntries {
		if !strings.EqualFold(strings.TrimSpace(e.CustomField.Name), strings.TrimSpace(name)) {
			continue
		}
		for _, v := range e.Values {
			switch {
			case v.ValueCatalogEntry != nil && v.ValueCatalogEntry.Name != "":
				return v.ValueCatalogEntry.Name
			case v.ValueOption != nil && v.ValueOption.Value != "":
				return v.ValueOption.Value
			case v.ValueText != "":
				return v.ValueText
			}
		}
	}
	return ""
}

// fieldEntryID is the catalog entry id of the custom field named name, "" if none.
func fieldEntryID(in *ioIncident, name string) string {
	for _, e := range in.CustomFieldEntries {
		if strings.EqualFold(strings.TrimSpace(e.CustomField.Name), strings.TrimSpace(name)) {
			for _, v := range e.Values {
				if v.ValueCatalogEntry != nil && v.ValueCatalogEntry.ID != "" {
					return v.ValueCatalogEntry.ID
				}
			}
		}
	}
	return ""
}

// severity maps an incident.io severity by name: Critical → critical; Major, High →
// high; Minor, Medium, Low → low; SEV1/P1 → critical, SEV2/P2 → high, SEV3/P3 and
// lower → low. Anything else (and none) is unknown: the rank alone does not say how
// an organisation's scale maps.
func severity(s *severityRef) incident.Severity {
	if s == nil {
		return incident.SeverityUnknown
	}
	if sev, ok := source.SeverityLevel(s.Name); ok {
		return sev
	}
	switch strings.ToLower(strings.TrimSpace(s.Name)) {
	case "critical":
		return incident.SeverityCritical
	case "major", "high":
		return incident.SeverityHigh
	case "minor", "medium", "low":
		return incident.SeverityLow
	}
	return incident.SeverityUnknown
}
