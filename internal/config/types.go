package config

// Config is the whole hero.yml.
type Config struct {
	PersonLabel string           `yaml:"person_label"`
	Windows     []Duration       `yaml:"windows"`
	Hours       Hours            `yaml:"hours"`
	Thresholds  Thresholds       `yaml:"thresholds"`
	Teams       []TeamOverride   `yaml:"teams"`
	People      []PersonOverride `yaml:"people"`
	Sources     []Source         `yaml:"sources"`
	Logs        []Log            `yaml:"logs"`

	// File is the path the config was read from ("" for a built-in config).
	File string `yaml:"-"`
}

// Hours are the time bands. In a team or person override, an unset field keeps the
// value of the level above.
type Hours struct {
	DefaultTimezone string      `yaml:"default_timezone"`
	Business        *Business   `yaml:"business"`
	Sleep           *ClockRange `yaml:"sleep"`
	Holidays        []string    `yaml:"holidays"` // ISO 3166 country codes
}

// Business are business hours and the days they apply.
type Business struct {
	Start string   `yaml:"start"` // "08:00"
	End   string   `yaml:"end"`
	Days  []string `yaml:"days"` // mon..sun
}

// ClockRange is a local-time span such as 22:00–08:00.
type ClockRange struct {
	Start string `yaml:"start"`
	End   string `yaml:"end"`
}

// Thresholds of the analytics.
type Thresholds struct {
	SoloAfter        Duration `yaml:"solo_after"`
	RecurrenceWithin Duration `yaml:"recurrence_within"`
}

// TeamOverride sets the hours of one team.
type TeamOverride struct {
	Name  string `yaml:"name"`
	Hours Hours  `yaml:"hours"`
}

// PersonOverride sets the time zone or hours of the people it matches.
type PersonOverride struct {
	Match    PersonMatch `yaml:"match"`
	Timezone string      `yaml:"timezone"`
	Hours    *Hours      `yaml:"hours"`
}

// PersonMatch selects people; every set field must match.
type PersonMatch struct {
	Email string `yaml:"email"`
	Name  string `yaml:"name"`
	ID    string `yaml:"id"`
}

// Source is one incident source. Fields that a type does not use are rejected.
type Source struct {
	Name            string   `yaml:"name"`
	Type            string   `yaml:"type"`
	BaseURL         string   `yaml:"base_url"`
	TokenFile       string   `yaml:"token_file"`
	TokenEnv        string   `yaml:"token_env"`
	History         Duration `yaml:"history"`
	RefreshInterval Duration `yaml:"refresh_interval"`
	Timeout         Duration `yaml:"timeout"`
	// Path is the NDJSON file of a file source, or the HTTP path of a webhook receiver.
	Path string `yaml:"path"`
	// Seed of the demo simulation.
	Seed int64 `yaml:"seed"`
	// Labels maps model fields (team, service, severity) to alert label names (alertmanager).
	Labels map[string]string `yaml:"labels"`

	// Token is read from TokenFile or TokenEnv at load time; never printed.
	Token Secret `yaml:"-"`
}

// Log is one log input.
type Log struct {
	Name      string   `yaml:"name"`
	Paths     []string `yaml:"paths"`
	Format    string   `yaml:"format"` // auto | text | json
	TopK      int      `yaml:"top_k"`
	InApp     []string `yaml:"in_app"`
	FromStart bool     `yaml:"from_start"` // read never-seen files from their beginning
}

// Secret is a string that never prints.
type Secret string

// String hides the value.
func (Secret) String() string { return "<secret>" }

// MarshalYAML hides the value.
func (s Secret) MarshalYAML() (any, error) {
	if s == "" {
		return "", nil
	}
	return "<secret>", nil
}
