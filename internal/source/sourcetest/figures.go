package sourcetest

import (
	"math"

	"github.com/hero-exporter/hero_exporter/internal/incident"
)

// Teams are the team rows of snap in window ("7d"), by team.
func Teams(snap *incident.Snapshot, window string) map[string]incident.TeamWindow {
	out := map[string]incident.TeamWindow{}
	for _, tw := range snap.Teams {
		if tw.Window == window {
			out[tw.Team] = tw
		}
	}
	return out
}

// Responders are the responder rows of snap in window, by "team/person".
func Responders(snap *incident.Snapshot, window string) map[string]incident.ResponderWindow {
	out := map[string]incident.ResponderWindow{}
	for _, rw := range snap.Responders {
		if rw.Window == window {
			out[rw.Team+"/"+rw.Person] = rw
		}
	}
	return out
}

// Near reports whether a and b are equal but for floating-point rounding.
func Near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
