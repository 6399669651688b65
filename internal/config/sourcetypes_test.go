package config_test

// The source types register themselves with the configuration from their packages'
// init functions. Importing them here links them into this package's test binary, so
// the tests of package config validate against the real types.
import _ "github.com/hero-exporter/hero_exporter/internal/source/all"
