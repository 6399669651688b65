package incident

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hero-exporter/hero_exporter/internal/pseudonym"
)

// person is one responder after merging records of different sources by email.
type person struct {
	src   string // source of the primary record (lowest Source, ID)
	id    string // id of the primary record
	name  string // first non-empty name among the records
	email string // lowercased; "" when none
	ids   []string
	tz    string // first time zone among the records that loads

	hash  string // 16 hex chars, see personHash
	label string
	loc   *time.Location
	hours *Hours // override; nil: team or default hours
}

// people resolves (source, id) references to merged persons.
type people struct {
	list    []person
	bySrc   []map[string]int32 // by source index, then source person id
	byEmail map[string]int32
}

// get returns the person with id in source src, creating an anonymous one for ids that
// the source referenced but never described (no name, no email, not merged).
func (ps *people) get(src int32, srcName, id string) int32 {
	if p, ok := ps.bySrc[src][id]; ok {
		return p
	}
	p := int32(len(ps.list))
	ps.list = append(ps.list, person{src: srcName, id: id, ids: []string{id}})
	ps.bySrc[src][id] = p
	return p
}

// buildPeople merges h.People. Records are taken in (Source, ID) order so the primary
// record, name and zone of a merged person do not depend on the order of History.
func (c *computer) buildPeople() {
	ps := &c.people
	ps.byEmail = make(map[string]int32)
	recs := make([]*Person, len(c.h.People))
	for i := range c.h.People {
		recs[i] = &c.h.People[i]
	}
	slices.SortStableFunc(recs, func(a, b *Person) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.ID, b.ID))
	})
	for _, r := range recs {
		src := c.source(r.Source)
		if _, dup := ps.bySrc[src][r.ID]; dup {
			continue // (Source, ID) is unique; keep the first
		}
		email := strings.ToLower(strings.TrimSpace(r.Email))
		p, merged := int32(-1), false
		if email != "" {
			p, merged = ps.byEmail[email]
		}
		if !merged {
			p = int32(len(ps.list))
			ps.list = append(ps.list, person{src: r.Source, id: r.ID, email: email})
			if email != "" {
				ps.byEmail[email] = p
			}
		}
		ps.bySrc[src][r.ID] = p
		pp := &ps.list[p]
		pp.ids = append(pp.ids, r.ID)
		if pp.name == "" {
			pp.name = r.Name
		}
		if pp.tz == "" && r.TimeZone != "" && c.location(r.TimeZone) != nil {
			pp.tz = r.TimeZone
		}
	}
}

// location loads an IANA zone once per Compute; nil when it does not load.
func (c *computer) location(name string) *time.Location {
	if name == "" || name == "Local" {
		return nil // "" would load as UTC and "Local" as the host's zone: neither is the person's
	}
	if loc, ok := c.locs[name]; ok {
		return loc
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		loc = nil
	}
	c.locs[name] = loc
	return loc
}

// finishPeople sets zone, hours and label of every person once all references
// (including anonymous ones) are known.
func (c *computer) finishPeople() {
	ps := c.people.list
	for i := range ps {
		p := &ps[i]
		p.loc = c.location(p.tz)
		for j := range c.s.People {
			o := &c.s.People[j]
			if !o.matches(p, c.s.HashKey) {
				continue
			}
			if p.loc == nil && o.Location != nil {
				p.loc = o.Location // the source's zone wins over config
			}
			if p.hours == nil && o.Hours != nil {
				p.hours = o.Hours
			}
		}
		if p.loc == nil {
			p.loc = c.defaultLoc
		}
		p.hash = c.personHash(p)
	}
	c.assignLabels()
}

// matches reports whether the override applies to p; in hashed mode the stored email is
// a keyed hash, and the override's email is compared in that form.
func (o *PersonOverride) matches(p *person, key pseudonym.Key) bool {
	if o.Email == "" && o.Name == "" && o.ID == "" {
		return false
	}
	if o.Email != "" {
		want := strings.ToLower(strings.TrimSpace(o.Email))
		if pseudonym.IsHashed(p.email) {
			want = key.Email(want)
		}
		if want != p.email {
			return false
		}
	}
	if o.Name != "" && !strings.EqualFold(o.Name, p.name) {
		return false
	}
	if o.ID != "" && !slices.Contains(p.ids, o.ID) {
		return false
	}
	return true
}

// personHash is the person's 16-hex pseudonym (package pseudonym): keyed by HashKey,
// of the email when there is one, else of source/id; stable across processes and hosts,
// so "hashed" labels are too.
func (c *computer) personHash(p *person) string {
	return c.s.HashKey.Label(p.email, p.src, p.id)
}

func (c *computer) baseLabel(p *person) string {
	var l string
	switch c.s.PersonLabel {
	case "email":
		l = cmp.Or(p.email, p.id)
	case "id":
		l = p.id
	case "hashed":
		l = p.hash
	default: // "name"
		l = cmp.Or(p.name, p.email, p.id)
	}
	if l == "" {
		l = p.hash
	}
	if !utf8.ValidString(l) {
		l = strings.ToValidUTF8(l, "\uFFFD")
	}
	return l
}

// assignLabels renders labels and makes them unique. People whose labels collide get
// " (" + the first 6 hex of their hash + ")" appended; should that still collide, the
// whole hash, then the hash and their index (order of buildPeople, deterministic).
// Labels are computed over everyone in History, so a person's label does not change
// with what happens to be in the current windows.
func (c *computer) assignLabels() {
	ps := c.people.list
	base := make([]string, len(ps))
	level := make([]uint8, len(ps))
	for i := range ps {
		base[i] = c.baseLabel(&ps[i])
	}
	render := func(i int) string {
		switch level[i] {
		case 0:
			return base[i]
		case 1:
			return base[i] + " (" + ps[i].hash[:6] + ")"
		case 2:
			return base[i] + " (" + ps[i].hash + ")"
		}
		return base[i] + " (" + ps[i].hash + "-" + strconv.Itoa(i) + ")"
	}
	seen := make(map[string]int, len(ps))
	for range 8 { // levels only rise and stop at 3, so this settles in at most 4 rounds
		clear(seen)
		for i := range ps {
			ps[i].label = render(i)
			seen[ps[i].label]++
		}
		changed := false
		for i := range ps {
			if seen[ps[i].label] > 1 && level[i] < 3 {
				level[i]++
				changed = true
			}
		}
		if !changed {
			break
		}
	}
}
