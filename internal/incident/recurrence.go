package incident

// Recurrence keys are only ever compared, so Compute works with a 64-bit FNV-1a hash of
// the key rather than the key string: no allocation per incident, and a collision
// among even millions of keys is vanishingly unlikely (~n²/2⁶⁵).

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func fnvByte(h uint64, c byte) uint64 {
	h ^= uint64(c)
	return h * fnvPrime
}

// recurrenceHash returns the hash of the incident's recurrence key: the source's own
// key when it has one, else the service plus the masked title. The two kinds are
// prefixed differently so a source key never equals a derived one by accident.
func recurrenceHash(inc *Incident) uint64 {
	h := uint64(fnvOffset)
	if inc.RecurrenceKey != "" {
		h = fnvByte(h, 'k')
		return fnvString(h, inc.RecurrenceKey)
	}
	h = fnvByte(h, 't')
	h = fnvString(h, inc.Service)
	h = fnvByte(h, 0)
	return hashMaskedTitle(h, inc.Title)
}

// MaskTitle returns title with the parts that vary between recurrences of the same
// problem replaced by placeholders, as used for derived recurrence keys:
//   - a UUID (8-4-4-4-12 hex digits) becomes "<uuid>";
//   - a word (run of ASCII letters and digits) becomes "<id>" when it is all digits,
//     starts with 0x, is 8 or more hex digits, or has two or more digits
//     (INC1234, db01, i-0abc12 → i-<id>). Words with a single digit (s3, ec2, ipv6,
//     http2) are names, not ids, and are kept.
//
// Everything else, including case, is kept.
func MaskTitle(title string) string {
	var out []byte
	maskTitle(title, func(s string) { out = append(out, s...) })
	return string(out)
}

func hashMaskedTitle(h uint64, title string) uint64 {
	// Inlined copy of maskTitle's walk: a closure here would escape and allocate.
	for i := 0; i < len(title); {
		if n := uuidAt(title, i); n > 0 {
			h = fnvString(h, "<uuid>")
			i += n
			continue
		}
		if !isAlnum(title[i]) {
			h = fnvByte(h, title[i])
			i++
			continue
		}
		j := i
		for j < len(title) && isAlnum(title[j]) {
			j++
		}
		if isIDWord(title[i:j]) {
			h = fnvString(h, "<id>")
		} else {
			h = fnvString(h, title[i:j])
		}
		i = j
	}
	return h
}

func maskTitle(title string, emit func(string)) {
	for i := 0; i < len(title); {
		if n := uuidAt(title, i); n > 0 {
			emit("<uuid>")
			i += n
			continue
		}
		if !isAlnum(title[i]) {
			emit(title[i : i+1])
			i++
			continue
		}
		j := i
		for j < len(title) && isAlnum(title[j]) {
			j++
		}
		if isIDWord(title[i:j]) {
			emit("<id>")
		} else {
			emit(title[i:j])
		}
		i = j
	}
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// uuidAt returns 36 when a UUID starts at s[i] on a word boundary, else 0.
func uuidAt(s string, i int) int {
	const n = 36
	if len(s)-i < n || (i > 0 && isAlnum(s[i-1])) || (i+n < len(s) && isAlnum(s[i+n])) {
		return 0
	}
	for k := 0; k < n; k++ {
		c := s[i+k]
		if k == 8 || k == 13 || k == 18 || k == 23 {
			if c != '-' {
				return 0
			}
		} else if !isHex(c) {
			return 0
		}
	}
	return n
}

func isIDWord(w string) bool {
	digits, hex := 0, 0
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= '0' && c <= '9' {
			digits++
		}
		if isHex(c) {
			hex++
		}
	}
	switch {
	case digits == len(w), digits >= 2:
		return true
	case len(w) > 2 && w[0] == '0' && (w[1] == 'x' || w[1] == 'X'):
		for i := 2; i < len(w); i++ {
			if !isHex(w[i]) {
				return false
			}
		}
		return true
	case hex == len(w) && len(w) >= 8:
		return true
	}
	return false
}
