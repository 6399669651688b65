package config

// Config is the whole hero.yml.
type Config struct {
	PersonLabel string `yaml:"person_label,omitempty"`
	// HashKeyFile holds the secret key of the person_label: hashed pseudonyms (required
	// in that mode); read into HashKey at load time.
	HashKeyFile string           `yaml:"hash_key_file,omitempty"`
	Windows     []Duration       `yaml:"windows,omitempty"`
	Hours       Hours            `yaml:"hours,omitempty"`
	Thresholds  Thresholds       `yaml:"thresholds,omitempty"`
	Teams       []TeamOverride   `yaml:"teams,omitempty"`
	People      []PersonOverride `yaml:"people,omitempty"`
	Sources     []Source         `yaml:"sources,omitempty"`
	Logs        []Log            `yaml:"logs,omitempty"`
	Storage     Storage          `yaml:"storage,omitempty"`

	// File is the path the config was read from ("" for a built-in config).
	File string `yaml:"-"`
	// HashKey is read from HashKeyFile; never printed.
	HashKey Secret `yaml:"-"`
}

// Hours are the time bands. In a team or person override, an unset field keeps the
// value of the level above.
type Hours struct {
	DefaultTimezone string      `yaml:"default_timezone,omitempty"`
	Business        *Business   `yaml:"business,omitempty"`
	Sleep           *ClockRange `yaml:"sleep,omitempty"`
	Holidays        []string    `yaml:"holidays,omitempty"` // ISO 3166 country codes
}

// Business are business hours and the days they apply.
type Business struct {
	Start string   `yaml:"start,omitempty"` // "08:00"
	End   string   `yaml:"end,omitempty"`
	Days  []string `yaml:"days,omitempty"` // mon..sun
}

// ClockRange is a local-time span such as 22:00–08:00.
type ClockRange struct {
	Start string `yaml:"start,omitempty"`
	End   string `yaml:"end,omitempty"`
}

// Thresholds of the analytics.
type Thresholds struct {
	SoloAfter        Duration `yaml:"solo_after,omitempty"`
	RecurrenceWithin Duration `yaml:"recurrence_within,omitempty"`
	// ChangeFailureWithin: a change followed by an incident on its service within this
	// time failed (default 1h).
	ChangeFailureWithin Duration `yaml:"change_failure_within,omitempty"`
}

// Storage configures the store.
type Storage struct {
	// Retention is how long records are kept after they ended (see docs); unset: what
	// the analytics need (Settings.HistoryNeeded).
	Retention Duration `yaml:"retention,omitempty"`
}

// TeamOverride sets the hours of one team.
type TeamOverride struct {
	Name  string `yaml:"name,omitempty"`
	Hours Hours  `yaml:"hours,omitempty"`
}

// PersonOverride sets the time zone or hours of the people it matches.
type PersonOverride struct {
	Match    PersonMatch `yaml:"match,omitempty"`
	Timezone string      `yaml:"timezone,omitempty"`
	Hours    *Hours      `yaml:"hours,omitempty"`
}

// PersonMatch selects people; every set field must match.
type PersonMatch struct {
	Email string `yaml:"email,omitempty"`
	Name  string `yaml:"name,omitempty"`
	ID    string `yaml:"id,omitempty"`
}

// Source is one incident source. Fields that a type does not use are rejected.
type Source struct {
	Name            string   `yaml:"name,omitempty"`
	Type            string   `yaml:"type,omitempty"`
	BaseURL         string   `yaml:"base_url,omitempty"`
	TokenFile       string   `yaml:"token_file,omitempty"`
	TokenEnv        string   `yaml:"token_env,omitempty"`
	History         Duration `yaml:"history,omitempty"`
	RefreshInterval Duration `yaml:"refresh_interval,omitempty"`
	Timeout         Duration `yaml:"timeout,omitempty"`
	// Path is the NDJSON file of a file source, or the HTTP path of a webhook receiver.
	Path string `yaml:"path,omitempty"`
	// Seed of the demo simulation.
	Seed int64 `yaml:"seed,omitempty"`
	// Labels maps model fields (team, service, severity) to alert label names (alertmanager).
	Labels map[string]string `yaml:"labels,omitempty"`
	// RequestsPerMinute is the client-side request budget of an API source (default and
	// maximum: the vendor's documented limit).
	RequestsPerMinute float64 `yaml:"requests_per_minute,omitempty"`
	// MaxBodyBytes bounds one webhook request body (alertmanager; default 32 MiB).
	MaxBodyBytes int64 `yaml:"max_body_bytes,omitempty"`
	// SecretFile holds the shared secret of signed webhooks (changes: GitHub's
	// X-Hub-Signature-256); read into Secret at load time.
	SecretFile string `yaml:"secret_file,omitempty"`
	// Environments limits GitHub deployments to these environments (changes; empty: all).
	Environments []string `yaml:"environments,omitempty"`
	// AllowUnauthenticated lets a push source run without a token (an explicit opt-out:
	// anyone who reaches the port can then push).
	AllowUnauthenticated bool `yaml:"allow_unauthenticated,omitempty"`
	// MaxLabelValues bounds the distinct team and service values a push source creates
	// (each); later new values fold into "other".
	MaxLabelValues int `yaml:"max_label_values,omitempty"`
	// AllowedTeams and AllowedServices, when set, are the only team or service values a
	// push source admits; others fold into "other".
	AllowedTeams    []string `yaml:"allowed_teams,omitempty"`
	AllowedServices []string `yaml:"allowed_services,omitempty"`

	// Token is read from TokenFile or TokenEnv at load time; never printed.
	Token Secret `yaml:"-"`
	// Secret is read from SecretFile at load time; never printed.
	Secret Secret `yaml:"-"`
}

// Log is one log input.
type Log struct {
	Name      string   `yaml:"name,omitempty"`
	Paths     []string `yaml:"paths,omitempty"`
	Format    string   `yaml:"format,omitempty"` // auto | text | json | cri | docker
	TopK      int      `yaml:"top_k,omitempty"`
	InApp     []string `yaml:"in_app,omitempty"`
	FromStart bool     `yaml:"from_start,omitempty"` // read never-seen files from their beginning
	// Exclude are globs of files matched by Paths that are not followed (matched against
	// the full path and against the base name).
	Exclude []string `yaml:"exclude,omitempty"`
	// Mask are extra regular expressions whose matches are replaced by <masked> in the
	// message label (after the built-in masking).
	Mask []string `yaml:"mask,omitempty"`
	// Messages is "masked" (default: the masked message is the message label) or "drop"
	// (the message label is empty).
	Messages string `yaml:"messages,omitempty"`
	// PollInterval is how often files are looked at when no file event arrives (default 1s).
	PollInterval Duration `yaml:"poll_interval,omitempty"`
	// Watch turns file system notifications (inotify) on (default) or off (polling only).
	Watch *bool `yaml:"watch,omitempty"`
	// LabelFromPath takes the `log` label from each file's path instead of Name:
	// "kubernetes" makes it <namespace>/<container> of a kubelet pod log path
	// (/var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log), one log per
	// namespace and container; pod names and uids never become labels.
	LabelFromPath string `yaml:"label_from_path,omitempty"`
}

// Secret is a string that never prints.
type Secret string

// String hides the value.
func (Secret) String() string { return "<secret>" }

// GoString hides the value from %#v too.
func (Secret) GoString() string { return `"<secret>"` }

// MarshalYAML hides the value.
func (s Secret) MarshalYAML() (any, error) {
	if s == "" {
		return "", nil
	}
	return "<secret>", nil
}

// IsZero reports hours that set nothing; an empty but present holidays list counts as
// set, so omitempty keeps it.
func (h Hours) IsZero() bool {
	return h.DefaultTimezone == "" && h.Business == nil && h.Sleep == nil && h.Holidays == nil
}

// MarshalYAML keeps an empty holidays list, which differs from an absent one: in an
// override, holidays: [] removes the inherited holidays, while no key keeps them.
func (h Hours) MarshalYAML() (any, error) {
	out := struct {
		DefaultTimezone string      `yaml:"default_timezone,omitempty"`
		Business        *Business   `yaml:"business,omitempty"`
		Sleep           *ClockRange `yaml:"sleep,omitempty"`
		Holidays        *[]string   `yaml:"holidays,omitempty"`
	}{DefaultTimezone: h.DefaultTimezone, Business: h.Business, Sleep: h.Sleep}
	if h.Holidays != nil {
		out.Holidays = &h.Holidays
	}
	return out, nil
}

// MarshalYAML keeps an empty days list (no business days), which differs from an absent
// one (the inherited or default days).
func (b Business) MarshalYAML() (any, error) {
	out := struct {
		Start string    `yaml:"start,omitempty"`
		End   string    `yaml:"end,omitempty"`
		Days  *[]string `yaml:"days,omitempty"`
	}{Start: b.Start, End: b.End}
	if b.Days != nil {
		out.Days = &b.Days
	}
	return out, nil
}
