// Package all links every source type into the binary: each source package registers
// its type (configuration rules and constructor) in init(), so adding a source is one
// package plus one import line here.
package all

import (
	// Every source type.
	_ "github.com/hero-exporter/hero_exporter/internal/source/alertmanager"
	_ "github.com/hero-exporter/hero_exporter/internal/source/changes"
	_ "github.com/hero-exporter/hero_exporter/internal/source/demo"
	_ "github.com/hero-exporter/hero_exporter/internal/source/file"
	_ "github.com/hero-exporter/hero_exporter/internal/source/firehydrant"
	_ "github.com/hero-exporter/hero_exporter/internal/source/grafanaoncall"
	_ "github.com/hero-exporter/hero_exporter/internal/source/incidentio"
	_ "github.com/hero-exporter/hero_exporter/internal/source/opsgenie"
	_ "github.com/hero-exporter/hero_exporter/internal/source/pagerduty"
	_ "github.com/hero-exporter/hero_exporter/internal/source/rootly"
)
