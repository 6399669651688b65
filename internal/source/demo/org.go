package demo

import (
	"fmt"
	"time"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

// Stable names of the simulated organisation. They are exported because end-to-end
// tests and docs of other packages point at them ("the hero of the demo is Ana Lima");
// changing one changes what `hero_exporter --demo` shows.
const (
	TeamPayments = "payments"
	TeamPlatform = "platform"
	TeamSearch   = "search"

	PolicyPayments = "demo-ep-payments"
	PolicyPlatform = "demo-ep-platform"
	PolicySearch   = "demo-ep-search"

	// HeroID is the payments engineer who is engaged in most of the team's incidents,
	// on call or not, day or night.
	HeroID = "demo-user-ana"
	// HelperID is the platform engineer who regularly helps on incidents of other
	// teams' escalation policies while not on call for them.
	HelperID = "demo-user-farah"
	// RecurringKey is the dedup key of the incident that keeps coming back.
	RecurringKey = "payments-db-connection-pool"
)

// Rotation anchors in unix seconds. Anchoring to fixed instants (not to process start or
// to the seed) makes "who was on call at t" a pure function of t.
const (
	// weeklyAnchor is Monday 1970-01-05 09:00 UTC, the weekly hand-off.
	weeklyAnchor = 4*86400 + 9*3600
	// sunAnchor is 22:00 UTC, start of the APAC leg of the follow-the-sun rotation;
	// legs are 6 h so each of the four regions is on call in its own daytime.
	sunAnchor = 22 * 3600
	week      = 7 * 24 * time.Hour
)

// rotation is one level of an escalation policy: members take turns of length period,
// starting at anchor; offset shifts who starts (seeded for weekly rotations so different
// seeds give different schedules).
type rotation struct {
	policy  string
	level   int
	anchor  int64 // unix seconds of a hand-off
	period  time.Duration
	members []string
	offset  int
}

// turn is the index of the turn that covers unix second t.
func (ro *rotation) turn(t int64) int64 {
	return floorDiv(t-ro.anchor, int64(ro.period/time.Second))
}

// member is who is on call during turn k.
func (ro *rotation) member(k int64) string {
	n := int64(len(ro.members))
	return ro.members[int(((k+int64(ro.offset))%n+n)%n)]
}

// titleFunc draws the service, title and dedup key ("" for none) of a routine incident.
// Titles carry ids and numbers on purpose so that recurrence-key masking has work to do.
type titleFunc func(r *rng) (service, title, key string)

type team struct {
	name    string
	policy  string
	members []string
	titles  []titleFunc
	// ackMean is the mean time to acknowledge of the team's on-call person.
	ackMean time.Duration
}

// org is the whole simulated organisation; it is built per Source (no globals) from
// the seed.
type org struct {
	people    []incident.Person // Source left empty; filled at emission
	channel   map[string]string // preferred page channel per person id
	teams     []*team
	byName    map[string]*team
	rotations []*rotation
}

func newOrg(seed int64) *org {
	type p struct{ id, name, email, tz, channel string }
	people := []p{
		// payments: the hero and four colleagues who rotate through on-call
		{HeroID, "Ana Lima", "ana.lima@example.com", "Europe/Berlin", incident.ChannelPhone},
		{"demo-user-ben", "Ben Carter", "ben.carter@example.com", "America/New_York", incident.ChannelPush},
		{"demo-user-chloe", "Chloé Dubois", "chloe.dubois@example.com", "UTC", incident.ChannelSMS},
		{"demo-user-diego", "Diego Ramos", "diego.ramos@example.com", "America/Los_Angeles", incident.ChannelPush},
		{"demo-user-emma", "Emma Schulz", "emma.schulz@example.com", "Europe/Berlin", incident.ChannelPush},
		// platform
		{HelperID, "Farah Haddad", "farah.haddad@example.com", "UTC", incident.ChannelPush},
		{"demo-user-gus", "Gus Olsen", "gus.olsen@example.com", "America/Los_Angeles", incident.ChannelSMS},
		{"demo-user-hamid", "Hamid Rahimi", "hamid.rahimi@example.com", "Europe/Berlin", incident.ChannelPush},
		// search: one person per region, follow-the-sun
		{"demo-user-isla", "Isla Brown", "isla.brown@example.com", "Australia/Sydney", incident.ChannelPush},
		{"demo-user-jai", "Jai Sharma", "jai.sharma@example.com", "Asia/Kolkata", incident.ChannelSMS},
		{"demo-user-katrin", "Katrin Vogel", "katrin.vogel@example.com", "Europe/Berlin", incident.ChannelPush},
		{"demo-user-leo", "Leo Martins", "leo.martins@example.com", "America/New_York", incident.ChannelPhone},
	}
	o := &org{channel: make(map[string]string, len(people)), byName: map[string]*team{}}
	for _, x := range people {
		o.people = append(o.people, incident.Person{ID: x.id, Name: x.name, Email: x.email, TimeZone: x.tz})
		o.channel[x.id] = x.channel
	}

	payments := []string{HeroID, "demo-user-ben", "demo-user-chloe", "demo-user-diego", "demo-user-emma"}
	platform := []string{HelperID, "demo-user-gus", "demo-user-hamid"}
	// Order matters: turn k of the follow-the-sun rotation starts at 22:00+6k h UTC, so
	// Sydney takes 22–04, Kolkata 04–10, Berlin 10–16, New York 16–22 UTC: daytime for
	// each of them in every DST state, hence few sleep pages and an even load.
	search := []string{"demo-user-isla", "demo-user-jai", "demo-user-katrin", "demo-user-leo"}

	o.teams = []*team{
		{name: TeamPayments, policy: PolicyPayments, members: payments, titles: paymentsTitles(), ackMean: 4 * time.Minute},
		{name: TeamPlatform, policy: PolicyPlatform, members: platform, titles: platformTitles(), ackMean: 3 * time.Minute},
		{name: TeamSearch, policy: PolicySearch, members: search, titles: searchTitles(), ackMean: 2 * time.Minute},
	}
	for _, t := range o.teams {
		o.byName[t.name] = t
	}

	// The seed only decides who starts the weekly rotations; the follow-the-sun order is
	// fixed by geography.
	off := newRNG(uint64(seed), tagRotation)
	o.rotations = []*rotation{
		{policy: PolicyPayments, level: 1, anchor: weeklyAnchor, period: week, members: payments, offset: off.intn(len(payments))},
		{policy: PolicyPayments, level: 2, anchor: weeklyAnchor, period: week, members: payments},
		{policy: PolicyPlatform, level: 1, anchor: weeklyAnchor, period: week, members: platform, offset: off.intn(len(platform))},
		{policy: PolicyPlatform, level: 2, anchor: weeklyAnchor, period: week, members: platform},
		{policy: PolicySearch, level: 1, anchor: sunAnchor, period: 6 * time.Hour, members: search},
	}
	// Level 2 runs two (payments) or one (platform) turns behind level 1, so the same
	// person is never both levels in one week.
	o.rotations[1].offset = o.rotations[0].offset + 2
	o.rotations[3].offset = o.rotations[2].offset + 1
	return o
}

// onCall is the person on call for policy at level at t, "" when the level does not exist.
func (o *org) onCall(policy string, level int, t time.Time) string {
	for _, ro := range o.rotations {
		if ro.policy == policy && ro.level == level {
			return ro.member(ro.turn(t.Unix()))
		}
	}
	return ""
}

// shifts are all turns that overlap [from, now] and have started by now. The end of the
// current turn lies in the future: it is the schedule's planned hand-off, which a real
// on-call API reports the same way.
func (o *org) shifts(src string, from, now time.Time) []incident.Shift {
	var out []incident.Shift
	for _, ro := range o.rotations {
		step := int64(ro.period / time.Second)
		for k := ro.turn(from.Unix()); ; k++ {
			start := ro.anchor + k*step
			if start > now.Unix() {
				break
			}
			out = append(out, incident.Shift{
				Source:           src,
				ID:               fmt.Sprintf("demo-shift-%s-L%d-%d", ro.policy, ro.level, k),
				PersonID:         ro.member(k),
				EscalationPolicy: ro.policy,
				Level:            ro.level,
				Start:            time.Unix(start, 0).UTC(),
				End:              time.Unix(start+step, 0).UTC(),
			})
		}
	}
	return out
}

func paymentsTitles() []titleFunc {
	return []titleFunc{
		func(r *rng) (string, string, string) {
			return "checkout-api", fmt.Sprintf("High latency on checkout-api pod checkout-%05x", r.next()&0xfffff), ""
		},
		func(r *rng) (string, string, string) {
			regions := []string{"eu-west-1", "us-east-1", "us-west-2"}
			return "payments-gateway", fmt.Sprintf("5xx rate %d%% on payments-gateway in %s", 2+r.intn(9), regions[r.intn(len(regions))]), ""
		},
		func(r *rng) (string, string, string) {
			return "ledger", fmt.Sprintf("Ledger batch %d failed to settle", 480000+r.intn(20000)), ""
		},
		func(r *rng) (string, string, string) {
			return "fraud-scoring", fmt.Sprintf("Fraud model timeouts: p99 %dms above SLO", 800+r.intn(1700)), ""
		},
		func(r *rng) (string, string, string) {
			providers := []string{"acquirer-a", "acquirer-b"}
			return "payments-gateway", fmt.Sprintf("Card authorisation errors from %s (code %d)", providers[r.intn(len(providers))], 5000+r.intn(100)), ""
		},
	}
}

func platformTitles() []titleFunc {
	return []titleFunc{
		func(r *rng) (string, string, string) {
			return "kubernetes", fmt.Sprintf("Node ip-10-0-%d-%d NotReady", r.intn(8), 2+r.intn(250)), ""
		},
		func(r *rng) (string, string, string) {
			return "kafka", fmt.Sprintf("Kafka consumer lag %d on topic payments.events", 10000+r.intn(90000)), ""
		},
		func(r *rng) (string, string, string) {
			return "ingress", fmt.Sprintf("Ingress 502s on lb-%08x", r.next()&0xffffffff), ""
		},
		func(r *rng) (string, string, string) {
			return "ci-runners", fmt.Sprintf("CI runner queue above %d jobs", 50+10*r.intn(20)), ""
		},
		func(r *rng) (string, string, string) {
			// An alert with its own dedup key, as Alertmanager-fed tools send.
			return "ingress", fmt.Sprintf("Certificate for api%d.example.com expires in %d days", 1+r.intn(4), 3+r.intn(10)), "platform-cert-expiry"
		},
	}
}

func searchTitles() []titleFunc {
	return []titleFunc{
		func(r *rng) (string, string, string) {
			return "search-api", fmt.Sprintf("Search p99 latency %dms on search-api", 400+r.intn(1600)), ""
		},
		func(r *rng) (string, string, string) {
			return "indexer", fmt.Sprintf("Indexer %d documents behind", 5000+r.intn(200000)), ""
		},
		func(r *rng) (string, string, string) {
			return "elasticsearch", fmt.Sprintf("Elasticsearch cluster yellow: shard %d unassigned on es-data-%d", r.intn(40), 1+r.intn(9)), ""
		},
		func(r *rng) (string, string, string) {
			return "search-api", fmt.Sprintf("Query error rate %d.%d%% on search-api", 1+r.intn(5), r.intn(10)), ""
		},
	}
}
