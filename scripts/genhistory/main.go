// Command genhistory writes a synthetic incident history (internal/incident/synth) as an
// NDJSON file for the file source: the input of the resource measurements in
// docs/deployment.md.
//
//	go run ./scripts/genhistory -incidents 100000 -people 1000 -days 90 \
//	  -now 2026-11-18T12:00:00Z > /tmp/history.ndjson
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident/synth"
)

func main() {
	incidents := flag.Int("incidents", 100000, "number of incidents")
	people := flag.Int("people", 1000, "number of people")
	days := flag.Int("days", 90, "days of history before -now")
	seed := flag.Int64("seed", 1, "seed (the same arguments give the same file)")
	nowFlag := flag.String("now", "2026-11-18T12:00:00Z", "end of the history (RFC 3339)")
	flag.Parse()
	now, err := time.Parse(time.RFC3339, *nowFlag)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genhistory: -now:", err)
		os.Exit(2)
	}
	h := synth.Generate(*incidents, *people, *days, *seed, now)
	w := bufio.NewWriter(os.Stdout)
	enc := json.NewEncoder(w)
	// synth has two sources; the file is one, so ids carry their source.
	id := func(src, s string) string { return src + ":" + s }
	emit := func(v map[string]any) {
		for k, x := range v {
			if s, ok := x.(string); ok && s == "" {
				delete(v, k)
			}
		}
		if err := enc.Encode(v); err != nil {
			fmt.Fprintln(os.Stderr, "genhistory:", err)
			os.Exit(1)
		}
	}
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, p := range h.People {
		zone := p.TimeZone
		if _, err := time.LoadLocation(zone); err != nil {
			zone = "" // the file source refuses unknown zones
		}
		emit(map[string]any{"type": "person", "id": id(p.Source, p.ID), "name": p.Name, "email": p.Email, "time_zone": zone})
	}
	for _, t := range h.Teams {
		members := make([]string, len(t.Members))
		for i, m := range t.Members {
			members[i] = id(t.Source, m)
		}
		emit(map[string]any{"type": "team", "name": t.Name, "members": members})
	}
	for _, in := range h.Incidents {
		emit(map[string]any{"type": "incident", "id": id(in.Source, in.ID), "title": in.Title, "team": in.Team,
			"service": in.Service, "severity": string(in.Severity), "escalation_policy": in.EscalationPolicy,
			"recurrence_key": in.RecurrenceKey, "created_at": ts(in.CreatedAt),
			"acknowledged_at": ts(in.AcknowledgedAt), "resolved_at": ts(in.ResolvedAt)})
	}
	for _, p := range h.Pages {
		emit(map[string]any{"type": "page", "id": id(p.Source, p.ID), "incident_id": id(p.Source, p.IncidentID),
			"person_id": id(p.Source, p.PersonID), "at": ts(p.At), "channel": p.Channel})
	}
	for _, e := range h.Engagements {
		emit(map[string]any{"type": "engagement", "id": id(e.Source, e.ID), "incident_id": id(e.Source, e.IncidentID),
			"person_id": id(e.Source, e.PersonID), "at": ts(e.At), "kind": e.Kind})
	}
	for _, s := range h.Shifts {
		emit(map[string]any{"type": "shift", "id": id(s.Source, s.ID), "person_id": id(s.Source, s.PersonID),
			"escalation_policy": s.EscalationPolicy, "level": s.Level, "start": ts(s.Start), "end": ts(s.End)})
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "genhistory:", err)
		os.Exit(1)
	}
}
