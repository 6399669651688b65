package demo

import (
	"fmt"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

const (
	slotLen = time.Hour
	// recurBlock is the block within which the recurring incident fires at most once;
	// 12 h with probability recurChance (plus the no-two-quiet-blocks rule below) gives
	// about ten a week.
	recurBlock  = 12
	recurChance = 0.6
	// investigationBlock: every 6 h one long investigation starts, worked by one person
	// for 7.5–9 h, so at any moment at least one open incident has been worked solo for
	// well over solo_after (20m).
	investigationBlock = 6
)

// simIncident is one incident with its whole timeline, including what happens after
// now; asOf cuts it at a given instant.
type simIncident struct {
	inc   incident.Incident
	pages []incident.Page
	engs  []incident.Engagement
}

// asOf is the incident as a source would report it at now: nothing that has not
// happened yet. ok is false when the incident itself is still in the future.
func (si *simIncident) asOf(now time.Time) (inc incident.Incident, pages []incident.Page, engs []incident.Engagement, ok bool) {
	if si.inc.CreatedAt.After(now) {
		return inc, nil, nil, false
	}
	inc = si.inc
	if inc.AcknowledgedAt.After(now) {
		inc.AcknowledgedAt = time.Time{}
	}
	if inc.ResolvedAt.After(now) {
		inc.ResolvedAt = time.Time{}
	}
	for _, p := range si.pages {
		if !p.At.After(now) {
			pages = append(pages, p)
		}
	}
	for _, e := range si.engs {
		if !e.At.After(now) {
			engs = append(engs, e)
		}
	}
	return inc, pages, engs, true
}

// builder assembles one simIncident; ids of pages and engagements are their position
// in the full timeline, so they do not depend on now.
type builder struct {
	src  string
	key  string // "<slot>-<n>"
	si   simIncident
	o    *org
	rand *rng
}

func (b *builder) page(person string, at time.Time, channel string) {
	b.si.pages = append(b.si.pages, incident.Page{
		Source: b.src, ID: fmt.Sprintf("demo-page-%s-%d", b.key, len(b.si.pages)),
		IncidentID: b.si.inc.ID, PersonID: person, At: at, Channel: channel,
	})
}

func (b *builder) engage(person, kind string, at time.Time) {
	b.si.engs = append(b.si.engs, incident.Engagement{
		Source: b.src, ID: fmt.Sprintf("demo-eng-%s-%d", b.key, len(b.si.engs)),
		IncidentID: b.si.inc.ID, PersonID: person, Kind: kind, At: at,
	})
}

// notify pages person the way a paging tool would for sev: low urgency mostly by
// email (which the contract does not count), critical by push and then a phone call
// under a minute later (which the contract counts once).
func (b *builder) notify(person string, at time.Time, sev incident.Severity) {
	r := b.rand
	ch := b.o.channel[person]
	switch sev {
	case incident.SeverityLow:
		if r.float() < 0.7 {
			b.page(person, at, incident.ChannelEmail)
			return
		}
		b.page(person, at, incident.ChannelPush)
	case incident.SeverityCritical:
		if ch == incident.ChannelPhone {
			b.page(person, at, incident.ChannelPhone)
			b.page(person, at.Add(r.between(15*time.Second, 40*time.Second)), incident.ChannelSMS)
			return
		}
		b.page(person, at, ch)
		b.page(person, at.Add(r.between(25*time.Second, 50*time.Second)), incident.ChannelPhone)
	default:
		b.page(person, at, ch)
	}
}

// generateSlot is every incident created in hour slot (unix hour index). It depends on
// nothing but the seed and the slot, which is what anchors the demo to absolute time.
func (s *Source) generateSlot(slot int64) []simIncident {
	r := newRNG(uint64(s.seed), tagSlot, uint64(slot))
	start := time.Unix(slot*int64(slotLen/time.Second), 0).UTC()
	var out []simIncident
	newBuilder := func(t *team, created time.Time) *builder {
		key := fmt.Sprintf("%d-%d", slot, len(out))
		return &builder{src: s.name, key: key, o: s.org, rand: r, si: simIncident{inc: incident.Incident{
			Source: s.name, ID: "demo-inc-" + key, Team: t.name, EscalationPolicy: t.policy, CreatedAt: created,
		}}}
	}

	for _, t := range s.org.teams {
		for range s.perHour(r, t, slot) {
			created := start.Add(r.between(0, slotLen-time.Second))
			b := newBuilder(t, created)
			b.si.inc.Service, b.si.inc.Title, b.si.inc.RecurrenceKey = t.titles[r.intn(len(t.titles))](r)
			b.si.inc.Severity = pickSeverity(r)
			s.routine(b, t, false)
			out = append(out, b.si)
		}
	}

	// The recurring incident: at most once per 12-hour block, in a slot and minute drawn
	// from the block's own stream so every slot of the block agrees on it. A block also
	// fires when the previous block's draw failed, so two blocks are never quiet in a row
	// and every 7-day window shows at least six recurrences, whatever the seed.
	block := floorDiv(slot, recurBlock)
	br := newRNG(uint64(s.seed), tagRecurring, uint64(block))
	fires := br.float() < recurChance
	if !fires {
		fires = newRNG(uint64(s.seed), tagRecurring, uint64(block-1)).float() >= recurChance
	}
	if fires && block*recurBlock+int64(br.intn(recurBlock)) == slot {
		t := s.org.byName[TeamPayments]
		b := newBuilder(t, start.Add(br.between(0, slotLen-time.Second)))
		b.si.inc.Service = "payments-db"
		b.si.inc.Title = fmt.Sprintf("Connection pool exhausted on payments-db (%d/%d connections in use)", 190+r.intn(11), 200)
		b.si.inc.RecurrenceKey = RecurringKey
		b.si.inc.Severity = incident.SeverityHigh
		if r.float() < 0.3 {
			b.si.inc.Severity = incident.SeverityCritical
		}
		s.routine(b, t, true)
		out = append(out, b.si)
	}

	if floorDiv(slot, investigationBlock)*investigationBlock == slot {
		ir := newRNG(uint64(s.seed), tagInvestigation, uint64(slot))
		si := s.investigation(newBuilder, ir, slot, start)
		out = append(out, si)
	}
	return out
}

// perHour is how many routine incidents team t opens in slot. Search gets exactly one
// every even hour rather than a random count: its follow-the-sun legs are 6 h long and
// start on even hours, so every leg sees the same load and the "healthy team" figure
// holds in any 7-day window, not just on average.
func (s *Source) perHour(r *rng, t *team, slot int64) int {
	x := r.float()
	switch t.name {
	case TeamPayments: // about one an hour
		switch {
		case x < 0.25:
			return 0
		case x < 0.75:
			return 1
		}
		return 2
	case TeamPlatform: // about 0.7 an hour
		switch {
		case x < 0.4:
			return 0
		case x < 0.9:
			return 1
		}
		return 2
	case TeamSearch:
		if slot%2 == 0 {
			return 1
		}
	}
	return 0
}

func pickSeverity(r *rng) incident.Severity {
	switch x := r.float(); {
	case x < 0.15:
		return incident.SeverityCritical
	case x < 0.6:
		return incident.SeverityHigh
	}
	return incident.SeverityLow
}

// routine plays out an ordinary incident of team t: page the on-call person, escalate
// when the acknowledgement is slow, and let the team's habits decide who works it.
func (s *Source) routine(b *builder, t *team, short bool) {
	r, inc := b.rand, &b.si.inc
	created := inc.CreatedAt
	primary := s.org.onCall(t.policy, 1, created)
	secondary := s.org.onCall(t.policy, 2, created)

	b.notify(primary, created.Add(r.between(5*time.Second, 30*time.Second)), inc.Severity)
	// Low-severity alerts often clear by themselves before anyone looks; the healthy
	// team has tuned its alerts, which also keeps its load share steady week by week.
	flaky := 0.35
	if t.name == TeamSearch {
		flaky = 0.1
	}
	neverAck := (inc.Severity == incident.SeverityLow && r.float() < flaky) || r.float() < 0.02
	ackAfter := time.Minute + r.expo(t.ackMean, 25*time.Minute)
	if neverAck || ackAfter > 5*time.Minute {
		esc := secondary
		if esc == "" {
			esc = primary // a single-level policy re-notifies its only level
		}
		b.notify(esc, created.Add(5*time.Minute+r.between(0, 20*time.Second)), inc.Severity)
	}
	if neverAck {
		inc.ResolvedAt = created.Add(r.between(3*time.Minute, 40*time.Minute))
		return
	}

	var dur time.Duration
	switch x := r.float(); {
	case short:
		dur = r.between(10*time.Minute, 45*time.Minute)
	case x < 0.45:
		dur = r.between(4*time.Minute, 20*time.Minute)
	case x < 0.85:
		dur = r.between(20*time.Minute, 90*time.Minute)
	default:
		dur = r.between(90*time.Minute, 6*time.Hour)
	}
	ack := created.Add(ackAfter)
	resolved := created.Add(dur)
	// Leave room for a responder request and its acceptance after the acknowledgement.
	if floor := ack.Add(8*time.Minute + r.between(0, 2*time.Minute)); resolved.Before(floor) {
		resolved = floor
	}
	inc.AcknowledgedAt, inc.ResolvedAt = ack, resolved
	// during is a moment strictly inside the worked part of the incident.
	during := func() time.Time {
		span := resolved.Sub(ack)
		return ack.Add(span/5 + r.between(0, span*3/5))
	}

	switch t.name {
	case TeamPayments:
		hero := HeroID
		switch x := r.float(); {
		case primary == hero || x < 0.55:
			// The hero gets there first, on call or not, and the person actually on call
			// never touches it: a solo incident in the hero's name.
			if primary != hero {
				b.notify(hero, created.Add(r.between(8*time.Second, 40*time.Second)), inc.Severity)
			}
			b.engage(hero, incident.EngageAcknowledge, ack)
			b.engage(hero, incident.EngageResolve, resolved)
		case x < 0.85:
			// The on-call person acknowledges, then pulls the hero in.
			b.engage(primary, incident.EngageAcknowledge, ack)
			req := ack.Add(r.between(time.Minute, 4*time.Minute))
			b.notify(hero, req, incident.SeverityHigh)
			b.engage(hero, incident.EngageAccept, req.Add(r.between(20*time.Second, 90*time.Second)))
			b.engage(hero, incident.EngageResolve, resolved)
		default:
			b.engage(primary, incident.EngageAcknowledge, ack)
			b.engage(primary, incident.EngageResolve, resolved)
		}
		if r.float() < 0.05 {
			// Now and then a colleague who is not on call chimes in.
			b.engage(t.members[1+r.intn(len(t.members)-1)], incident.EngageNote, during())
		}
		s.helper(b, 0.25)
	case TeamPlatform:
		b.engage(primary, incident.EngageAcknowledge, ack)
		if secondary != "" && r.float() < 0.15 {
			b.engage(secondary, incident.EngageNote, during())
		}
		b.engage(primary, incident.EngageResolve, resolved)
	case TeamSearch:
		b.engage(primary, incident.EngageAcknowledge, ack)
		if r.float() < 0.08 {
			other := t.members[r.intn(len(t.members))]
			if other != primary {
				b.engage(other, incident.EngageNote, during())
			}
		}
		b.engage(primary, incident.EngageResolve, resolved)
		s.helper(b, 0.05)
	}
}

// helper lets the platform engineer who knows everyone's systems drop in on another
// team's incident during her working day (weekdays, 08–19 UTC), with probability p —
// the off-rotation engagement the product exists to make visible.
func (s *Source) helper(b *builder, p float64) {
	r, inc := b.rand, &b.si.inc
	c := inc.CreatedAt
	if r.float() >= p || c.Weekday() == time.Saturday || c.Weekday() == time.Sunday || c.Hour() < 8 || c.Hour() >= 19 {
		return
	}
	span := inc.ResolvedAt.Sub(inc.AcknowledgedAt)
	at := inc.AcknowledgedAt.Add(span/5 + r.between(0, span*3/5))
	kind := incident.EngageNote
	if r.float() < 0.3 {
		kind = incident.EngageAcknowledge // a second acknowledgement: "I'm on it too"
	}
	b.engage(HelperID, kind, at)
}

// investigation is the long incident of a 6-hour block, alternating between payments
// (worked by the hero) and platform (worked by its on-call person), always solo.
func (s *Source) investigation(newBuilder func(*team, time.Time) *builder, r *rng, slot int64, start time.Time) simIncident {
	payments := floorDiv(slot, investigationBlock)%2 == 0
	t := s.org.byName[TeamPlatform]
	if payments {
		t = s.org.byName[TeamPayments]
	}
	created := start.Add(r.between(0, 55*time.Minute))
	b := newBuilder(t, created)
	b.rand = r
	inc := &b.si.inc
	inc.Severity = incident.SeverityHigh
	var worker string
	if payments {
		worker = HeroID
		inc.Service = "ledger"
		inc.Title = fmt.Sprintf("Reconciliation drift of %d EUR between ledger and acquirer report %d", 100+r.intn(9000), 70000+r.intn(9999))
	} else {
		worker = s.org.onCall(t.policy, 1, created)
		inc.Service = "kafka"
		inc.Title = fmt.Sprintf("Kafka broker kafka-%d has %d under-replicated partitions", 1+r.intn(6), 3+r.intn(40))
	}
	b.notify(worker, created.Add(r.between(5*time.Second, 20*time.Second)), inc.Severity)
	ack := created.Add(r.between(time.Minute, 4*time.Minute))
	resolved := created.Add(r.between(7*time.Hour+30*time.Minute, 9*time.Hour))
	inc.AcknowledgedAt, inc.ResolvedAt = ack, resolved
	b.engage(worker, incident.EngageAcknowledge, ack)
	for at := ack.Add(r.between(time.Hour, 2*time.Hour)); at.Before(resolved); at = at.Add(r.between(time.Hour, 2*time.Hour)) {
		b.engage(worker, incident.EngageNote, at)
	}
	b.engage(worker, incident.EngageResolve, resolved)
	return b.si
}
