package logscan

import (
	"strings"
	"unicode/utf8"
)

// MaxMessageLen is the maximum length, in characters, of Event.Message.
const MaxMessageLen = 120

// Mask placeholders.
const (
	maskNum   = "<num>"
	maskHex   = "<hex>"
	maskUUID  = "<uuid>"
	maskIP    = "<ip>"
	maskEmail = "<email>"
	maskURL   = "<url>"
	maskDate  = "<date>"
	maskDur   = "<dur>"
	maskStr   = "<str>"
)

// MaskMessage replaces variable parts of a message (numbers, hex, uuids, ips, emails, urls,
// dates, durations, quoted values) by placeholders, collapses white space, makes it valid
// UTF-8 without control characters and cuts it to MaxMessageLen characters.
func MaskMessage(s string) string {
	return truncRunes(maskFull(s), MaxMessageLen)
}

// maskFull masks without truncation (the fingerprint uses the first 200 bytes).
func maskFull(s string) string {
	if len(s) > 4096 {
		s = s[:4096]
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s))
	space := false
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c < 0x20 || c == 0x7f:
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			i++
			continue
		case c == '"' || c == '`' || c == '\'' && (i == 0 || !isAlnum(s[i-1])):
			closeq := byte('"')
			if c != '"' {
				closeq = '\''
				if c == '`' {
					closeq = '`'
				}
			}
			if e := quoteEnd(s, i+1, closeq, c == '`'); e > 0 {
				b.WriteByte(c)
				b.WriteString(maskStr)
				b.WriteByte(s[e])
				i = e + 1
				space = false
				continue
			}
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			// Trailing punctuation is not part of the word.
			k := j
			for k > i+1 && strings.IndexByte(".:,;-/", s[k-1]) >= 0 {
				k--
			}
			b.WriteString(maskWord(s[i:k]))
			b.WriteString(s[k:j])
			i = j
			space = false
			continue
		}
		b.WriteByte(c)
		space = false
		i++
	}
	return strings.TrimSpace(b.String())
}

// quoteEnd finds the closing quote of a quoted value on the same line, or -1.
func quoteEnd(s string, from int, q byte, backtick bool) int {
	limit := min(len(s), from+256)
	for j := from; j < limit; j++ {
		c := s[j]
		if c == '\n' {
			return -1
		}
		if c == q || backtick && c == '\'' {
			if q == '\'' && j+1 < len(s) && isAlnum(s[j+1]) {
				continue
			}
			return j
		}
	}
	return -1
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isWordByte(c byte) bool {
	return isAlnum(c) || c == '_' || c == '.' || c == ':' || c == '-' || c == '/' || c == '@' || c == '%' ||
		c == '+' || c == '~' || c == '=' || c == '&' || c == '?' || c == '#' || c >= 0x80
}

func isHexByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// maskWord classifies one word.
func maskWord(w string) string {
	if w == "" {
		return w
	}
	if i := strings.Index(w, "://"); i > 0 && isSchemeName(w[:i]) {
		return maskURL
	}
	if at := strings.IndexByte(w, '@'); at > 0 && strings.IndexByte(w[at:], '.') > 0 && !strings.ContainsAny(w, "/:") {
		return maskEmail
	}
	if isUUID(w) {
		return maskUUID
	}
	if isIP(w) {
		return maskIP
	}
	if isDateLike(w) {
		return maskDate
	}
	if isDuration(w) {
		return maskDur
	}
	if !hasDigit(w) {
		return w
	}
	if strings.IndexByte(w, '/') >= 0 { // host/10.0.0.1:8080, a/b/2024-05-01
		segs := strings.Split(w, "/")
		for i, sg := range segs {
			segs[i] = maskWord(sg)
		}
		return strings.Join(segs, "/")
	}
	// Mask the parts of compound words: user_123 -> user_<num>, req-8f3a9c2e -> req-<hex>.
	var b strings.Builder
	start := 0
	for i := 0; i <= len(w); i++ {
		if i < len(w) && !strings.ContainsRune("_-./:=&?#+@", rune(w[i])) {
			continue
		}
		b.WriteString(maskPart(w[start:i]))
		if i < len(w) {
			b.WriteByte(w[i])
		}
		start = i + 1
	}
	return b.String()
}

func maskPart(p string) string {
	if p == "" || !hasDigit(p) {
		return p
	}
	if allDigits(p) {
		return maskNum
	}
	if len(p) > 2 && (p[:2] == "0x" || p[:2] == "0X") && allHex(p[2:]) {
		return maskHex
	}
	if allHex(p) && len(p) >= 6 {
		return maskHex
	}
	if isDuration(p) {
		return maskDur
	}
	// a word with digits inside, e.g. "v2", "utf8": mask the digit runs of long numbers
	var b strings.Builder
	i := 0
	for i < len(p) {
		if isDigit(p[i]) {
			j := i
			for j < len(p) && isDigit(p[j]) {
				j++
			}
			if j-i >= 3 {
				b.WriteString(maskNum)
			} else {
				b.WriteString(p[i:j])
			}
			i = j
			continue
		}
		b.WriteByte(p[i])
		i++
	}
	return b.String()
}

func isSchemeName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isAlnum(c) || c == '+' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && s[i] != ',' {
			return false
		}
	}
	return true
}

func allHex(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isHexByte(s[i]) {
			return false
		}
	}
	return true
}

func isUUID(w string) bool {
	if len(w) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if w[i] != '-' {
				return false
			}
		} else if !isHexByte(w[i]) {
			return false
		}
	}
	return true
}

// isIP matches IPv4 (with an optional port) and IPv6 addresses.
func isIP(w string) bool {
	w = strings.TrimPrefix(w, "[")
	if dots := strings.Count(w, "."); dots == 3 {
		host := w
		if i := strings.IndexByte(w, ':'); i > 0 {
			host = w[:i]
			if !allDigits(w[i+1:]) {
				return false
			}
		}
		for _, part := range strings.Split(host, ".") {
			if part == "" || len(part) > 3 || !allDigits(part) {
				return false
			}
		}
		return true
	}
	if strings.Count(w, ":") >= 2 {
		hexes := 0
		for i := 0; i < len(w); i++ {
			c := w[i]
			if c == ']' {
				break
			}
			if c != ':' && !isHexByte(c) && c != '.' {
				return false
			}
			if isHexByte(c) {
				hexes++
			}
		}
		return hexes > 0 && !isTimeOfDay(w)
	}
	return false
}

func isTimeOfDay(w string) bool {
	// 12:30:45 or 12:30:45.123
	if len(w) < 8 || !isDigit(w[0]) || !isDigit(w[1]) || w[2] != ':' || !isDigit(w[3]) || !isDigit(w[4]) ||
		w[5] != ':' {
		return false
	}
	return isDigit(w[6]) && isDigit(w[7])
}

// isDateLike matches 2024-05-01, 2024-05-01T12:00:00Z, 01/05/2024, 2024/05/01 and times.
func isDateLike(w string) bool {
	if isTimeOfDay(w) {
		return true
	}
	if len(w) < 8 {
		return false
	}
	d := func(s string, n int) bool {
		if len(s) < n {
			return false
		}
		for i := 0; i < n; i++ {
			if !isDigit(s[i]) {
				return false
			}
		}
		return true
	}
	if d(w, 4) && (w[4] == '-' || w[4] == '/') && d(w[5:], 2) && len(w) >= 10 && w[7] == w[4] && d(w[8:], 2) {
		return true
	}
	if d(w, 2) && (w[2] == '/' || w[2] == '.' || w[2] == '-') && d(w[3:], 2) && len(w) >= 10 && w[5] == w[2] &&
		d(w[6:], 4) {
		return true
	}
	return false
}

// isDuration matches 300ms, 1.5s, 2h45m, 10µs.
func isDuration(w string) bool {
	i := 0
	units := 0
	for i < len(w) {
		j := i
		for j < len(w) && (isDigit(w[j]) || w[j] == '.') {
			j++
		}
		if j == i {
			return false
		}
		k := j
		for k < len(w) && (w[k] >= 'a' && w[k] <= 'z' || w[k] == 0xc2 || w[k] == 0xb5) {
			k++
		}
		switch w[j:k] {
		case "ns", "us", "µs", "ms", "s", "m", "h", "d", "sec", "secs", "min", "mins":
		default:
			return false
		}
		units++
		i = k
	}
	return units > 0
}

// truncRunes cuts s to n runes (s must be valid UTF-8).
func truncRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	count := 0
	for i := range s {
		if count == n {
			return strings.TrimSpace(s[:i])
		}
		count++
	}
	return s
}

// validLabel makes s valid UTF-8, one line and at most n runes.
func validLabel(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.ContainsAny(s, "\n\r\t\x00") {
		s = strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return ' '
			}
			return r
		}, s)
	}
	return truncRunes(s, n)
}
