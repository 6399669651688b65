package logscan

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// StateStore persists follower positions (with file identities) and the history of seen
// fingerprints. The exporter's store implements it.
type StateStore interface {
	LoadLogState(ctx context.Context, log string) (map[string][]byte, error)
	SaveLogState(ctx context.Context, log, key string, value []byte) error
	DeleteLogState(ctx context.Context, log, key string) error
	LoadSeenFingerprints(ctx context.Context, log string) ([]string, error)
	AddSeenFingerprints(ctx context.Context, log string, fps []string, limit int) error
}

// FollowOptions configure a Follower: the fields of config.Log plus tuning.
type FollowOptions struct {
	Name      string   // logs[].name
	Paths     []string // globs
	Format    string   // auto | text | json | cri | docker
	TopK      int
	InApp     []string
	FromStart bool     // read never-seen files from their beginning (default: from their end)
	Exclude   []string // globs of files not followed
	Mask      []string // extra message masking patterns
	Messages  string   // masked (default) | drop
	NoWatch   bool     // poll only (no inotify)
	Logger    *slog.Logger

	PollInterval   time.Duration // default 1s
	QuietFlush     time.Duration // an open event is emitted after this long without input; default 3s
	SeenLimit      int           // fingerprints remembered for new-fingerprint detection; default 10000
	MaxLineBytes   int           // default DefaultMaxLineBytes
	MaxReadPerPoll int64         // bytes read per file per poll; default 64 MiB
	Now            func() time.Time
	// Windows are the windows of the exception trend figures (hourly counts are kept
	// for twice the longest).
	Windows []Window
}

// followBuffer is the initial read buffer per followed file (it grows for long lines).
const followBuffer = 64 << 10

// headLen is how many leading bytes identify a file's content.
const headLen = 1024

// stateKey is the log_state key of the whole follower state (one row: positions and
// counters are saved together, atomically).
const stateKey = "follower"

// goneKeep is how many records of files that disappeared are kept, to recognise their
// compressed copies (logrotate compresses a rotated file into a new one, then removes it).
const goneKeep = 64

// fileID is the identity of a file: device, inode and (where the file system records
// it) creation time, so that a new file reusing a deleted file's inode is another file.
type fileID struct {
	dev, ino uint64
	btime    int64
}

func (id fileID) key() string { return fmt.Sprintf("%d:%d:%d", id.dev, id.ino, id.btime) }

// idOfFile is the identity of an open file.
func idOfFile(f *os.File) (fileID, os.FileInfo, error) {
	fi, err := f.Stat()
	if err != nil {
		return fileID{}, nil, fmt.Errorf("logscan: stat %s: %w", f.Name(), err)
	}
	id := idOf(fi)
	id.btime = birthOf(f)
	return id, fi, nil
}

// openVerified opens e's path and checks that it is still the file the scan found (a
// rotation may have moved another file there since).
func (fl *Follower) openVerified(e entry) *os.File {
	f, err := os.Open(e.path)
	if err != nil {
		if !errors.Is(err, os.ErrNotExist) { // renamed since the scan: seen at its new name
			fl.fail(ReasonOpen, e.path, err)
		}
		return nil
	}
	if id, _, err := idOfFile(f); err != nil || id != e.id {
		_ = f.Close()
		return nil
	}
	return f
}

// record is what is known of a file: persisted for every followed file and every
// rotated sibling, so that nothing is read twice or skipped after a restart.
type record struct {
	Path  string `json:"path"`
	Dev   uint64 `json:"dev"`
	Ino   uint64 `json:"ino"`
	Btime int64  `json:"btime,omitempty"`
	// Off: content bytes accounted for (every line before it counted).
	Off int64 `json:"off"`
	// Resume: per container stream (one stream for other logs), where reading must start
	// again so that an open event or a split line is complete; <= Off.
	Resume [2]int64 `json:"resume"`
	HLen   int      `json:"hlen"`
	Head   string   `json:"head"`
	Tail   []byte   `json:"tail,omitempty"`
	Open   bool     `json:"open,omitempty"` // followed (an open file) when saved
	// Home: the name the file had when the globs matched it; its rotated siblings are
	// looked for under that name's prefix.
	Home string `json:"home,omitempty"`
	// Compressed: the file is compressed; Off is in its decompressed content.
	Compressed bool  `json:"compressed,omitempty"`
	Size       int64 `json:"size"` // size of the file when recorded
	// CopyOf: the file is a copy of a followed file (copy-truncate, "cp"): it is read only
	// from that file's position when that file is truncated.
	CopyOf string `json:"copy_of,omitempty"`
	// GoneAt: the file disappeared (kept a while to recognise a compressed copy).
	GoneAt int64 `json:"gone_at,omitempty"`
	// PendingLoss: the record is what was read of a file before it was truncated with no
	// copy found yet; unless a copy continues it within pendingCopyWait, what followed Off
	// is reported lost.
	PendingLoss bool `json:"pending_loss,omitempty"`
}

// pendingCopyWait is how long a truncated file's copy is waited for (logrotate compresses
// it after the truncation) before what followed the read part is reported lost.
const pendingCopyWait = time.Minute

// reportDropped reports the pending losses among records no longer kept.
func (fl *Follower) reportDropped(rs []*record) {
	for _, r := range rs {
		if r.PendingLoss {
			r.PendingLoss = false
			fl.lost(ReasonTruncated, r.Path, fmt.Sprintf("the file was truncated at offset %d and no rotated copy holds what followed", r.Off))
		}
	}
}

// reportPending reports the truncations whose copy did not turn up in time.
func (fl *Follower) reportPending(now time.Time) {
	for _, g := range fl.gone {
		if g.PendingLoss && now.Unix()-g.GoneAt >= int64(pendingCopyWait/time.Second) {
			fl.reportDropped([]*record{g})
			fl.dirty = true
		}
	}
}

func (r *record) id() fileID { return fileID{r.Dev, r.Ino, r.Btime} }

// persisted is the saved state of a follower.
type persisted struct {
	V       int            `json:"v"`
	Files   []record       `json:"files"`
	Gone    []record       `json:"gone,omitempty"`
	Counter counterState   `json:"counter"`
	Legacy  map[string]any `json:"-"`
}

// tailFile is one open followed file.
type tailFile struct {
	id       fileID
	btime    int64
	path     string
	f        *os.File
	sp       *splitter
	lp       *lineProc
	hlen     int
	head     string // hex sha256 of the first hlen bytes
	lastData time.Time
	size     int64
	mtime    time.Time
	// rotated: no longer matched by the globs (renamed away); read until quiet.
	rotated bool
	home    string
	// restored position evidence (after a restart, until reading passes it).
	restOff  int64
	restTail []byte
}

// pos is the offset up to which tf's file was read (processed or held).
func (tf *tailFile) pos() int64 { return tf.lp.off + int64(tf.sp.n) }

// tailAt returns the offset and bytes that must be found before it in tf's content.
func (tf *tailFile) tailAt() (int64, []byte) {
	if tf.restOff > tf.lp.off {
		return tf.restOff, tf.restTail
	}
	return tf.lp.off, tf.lp.tail
}

// Follower follows the files of one log input and counts their exceptions.
type Follower struct {
	opts    FollowOptions
	format  int
	store   StateStore
	counter *Counter
	mf      *messageFilter
	log     *slog.Logger

	files    map[fileID]*tailFile
	recs     map[fileID]*record // known files not open: rotated copies, archives, copies
	gone     []*record          // recently disappeared files (content evidence)
	held     map[fileID]*heldCopy
	failed   map[string]string // path -> last error, to count each failure once
	started  bool
	hadHist  bool // the store had positions: files found at the first look appeared while down
	lastSave time.Time
	dirty    bool
}

// NewFollower returns a follower; call Run (or Poll repeatedly). store may be nil (no
// persistence).
func NewFollower(opts FollowOptions, store StateStore) (*Follower, error) {
	format, err := parseFormat(opts.Format)
	if err != nil {
		return nil, err
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.QuietFlush <= 0 {
		opts.QuietFlush = 3 * time.Second
	}
	if opts.SeenLimit <= 0 {
		opts.SeenLimit = DefaultSeenLimit
	}
	if opts.MaxReadPerPoll <= 0 {
		opts.MaxReadPerPoll = 64 << 20
	}
	if opts.MaxLineBytes <= 0 {
		opts.MaxLineBytes = DefaultMaxLineBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	mf, err := newMessageFilter(opts.Mask, opts.Messages)
	if err != nil {
		return nil, err
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	counter := NewCounter(opts.Name, opts.TopK, opts.SeenLimit)
	counter.SetClock(opts.Now)
	counter.SetWindows(opts.Windows)
	return &Follower{
		opts:    opts,
		format:  format,
		store:   store,
		counter: counter,
		mf:      mf,
		log:     opts.Logger.With("log", opts.Name),
		files:   make(map[fileID]*tailFile),
		recs:    make(map[fileID]*record),
		held:    make(map[fileID]*heldCopy),
		failed:  make(map[string]string),
	}, nil
}

// Counter returns the follower's figures (safe to read concurrently with Run).
func (fl *Follower) Counter() *Counter { return fl.counter }

// Close saves positions and closes every file. Open events are not flushed: their
// lines are read again after a restart, without being counted again (see record).
func (fl *Follower) Close(ctx context.Context) {
	if fl.started { // never started: the saved state was not loaded, keep it
		fl.dirty = true
		fl.saveState(ctx, fl.opts.Now(), true)
	}
	for id, tf := range fl.files {
		fl.dropHeld(id)
		_ = tf.f.Close()
		delete(fl.files, id)
	}
	fl.counter.SetFiles(0)
}

func (fl *Follower) start(ctx context.Context) error {
	fl.started = true
	if fl.store == nil {
		return nil
	}
	st, err := fl.store.LoadLogState(ctx, fl.opts.Name)
	if err != nil {
		return fmt.Errorf("logscan: load positions of %s: %w", fl.opts.Name, err)
	}
	if v, ok := st[stateKey]; ok {
		var p persisted
		if err := jsonUnmarshal(v, &p); err != nil {
			return fmt.Errorf("logscan: positions of %s: %w", fl.opts.Name, err)
		}
		for i := range p.Files {
			r := p.Files[i]
			fl.recs[r.id()] = &r
		}
		for i := range p.Gone {
			r := p.Gone[i]
			fl.gone = append(fl.gone, &r)
		}
		fl.counter.restore(p.Counter)
		fl.hadHist = true
	}
	// The closed hours of the hourly counts, one row each; the open ones came with the
	// positions and win over a row of the same hour.
	rows := map[int64]hourCounts{}
	for k, v := range st {
		if h, ok := parseHourKey(k); ok {
			var m hourCounts
			if err := jsonUnmarshal(v, &m); err != nil {
				return fmt.Errorf("logscan: hourly counts of %s: %w", fl.opts.Name, err)
			}
			rows[h] = m
		}
	}
	var open map[string]hourCounts
	if v, ok := st[stateKey]; ok {
		var p persisted
		if jsonUnmarshal(v, &p) == nil {
			open = p.Counter.Hours
		}
	}
	fl.counter.loadHours(rows, open)
	// Positions saved by earlier versions (one key per file, no counters).
	for k, v := range st {
		if _, hour := parseHourKey(k); k == stateKey || hour {
			continue
		}
		var old struct {
			Path string `json:"path"`
			Dev  uint64 `json:"dev"`
			Ino  uint64 `json:"ino"`
			Off  int64  `json:"off"`
			HLen int    `json:"hlen"`
			Head string `json:"head"`
		}
		if jsonUnmarshal(v, &old) == nil && old.Path != "" {
			id := fileID{dev: old.Dev, ino: old.Ino}
			if _, ok := fl.recs[id]; !ok {
				fl.recs[id] = &record{Path: old.Path, Dev: old.Dev, Ino: old.Ino, Off: old.Off, Resume: [2]int64{old.Off, old.Off},
					HLen: old.HLen, Head: old.Head, Open: true}
			}
			fl.hadHist = true
		}
		if err := fl.store.DeleteLogState(ctx, fl.opts.Name, k); err != nil {
			return fmt.Errorf("logscan: forget old position of %s: %w", fl.opts.Name, err)
		}
		fl.dirty = true
	}
	seen, err := fl.store.LoadSeenFingerprints(ctx, fl.opts.Name)
	if err != nil {
		return fmt.Errorf("logscan: load seen fingerprints of %s: %w", fl.opts.Name, err)
	}
	fl.counter.LoadSeen(seen)
	return nil
}

// entry is one file found at a look.
type entry struct {
	path   string
	fi     os.FileInfo
	id     fileID
	inGlob bool
}

// Poll does one look: finds files (the globs' matches and their rotated siblings),
// handles rotation and truncation, reads new lines, flushes quiet events and saves the
// state. Errors about single files are counted, not returned.
func (fl *Follower) Poll(ctx context.Context) error {
	first := !fl.started
	if first {
		if err := fl.start(ctx); err != nil {
			fl.started = false
			return err
		}
	}
	now := fl.opts.Now()
	ents, byID := fl.scan()

	// 1. Files followed: where are they now?
	for id, tf := range fl.files {
		e, ok := byID[id]
		switch {
		case !ok: // deleted, or moved out of sight: read to the end through the open file
			fl.read(tf, now, true)
			fl.release(tf, now, true)
		case e.inGlob:
			tf.path, tf.rotated = e.path, false
		default:
			tf.path, tf.rotated = e.path, true
		}
	}
	// 2. Records of files restored after a restart, or known and not open.
	if first && fl.hadHist {
		fl.restore(byID, now)
	}
	// 3. Truncation (copy-truncate) of followed files: finish reading from the copy.
	for _, tf := range fl.sortedFiles() {
		fl.check(tf, ents, now)
	}
	// 4. Files not seen before.
	for _, e := range ents {
		if _, ok := fl.files[e.id]; ok {
			continue
		}
		if r, ok := fl.recs[e.id]; ok {
			fl.known(r, e, now)
			continue
		}
		fl.discover(e, first, now)
	}
	// 5. Records of files that disappeared become content evidence for a while.
	for id, r := range fl.recs {
		if _, ok := byID[id]; !ok {
			if first && r.Open {
				// Followed when the last run stopped, gone since, and found in no copy.
				fl.lost(ReasonGone, r.Path, fmt.Sprintf("the file disappeared while the exporter was down; what followed offset %d is lost", r.Off))
			}
			fl.forget(r, now)
		}
	}
	fl.reportPending(now)
	// 6. Read, flush quiet events, release quiet rotated files.
	inGlob := 0
	for _, tf := range fl.sortedFiles() {
		fl.read(tf, now, false)
		tf.lp.flushIfQuiet(now, fl.opts.QuietFlush)
		if tf.rotated && now.Sub(tf.lastData) >= max(fl.opts.QuietFlush, 2*fl.opts.PollInterval) {
			fl.read(tf, now, true)
			fl.release(tf, now, false)
			continue
		}
		if !tf.rotated {
			inGlob++
		}
	}
	fl.counter.SetFiles(inGlob)
	fl.saveState(ctx, now, false)
	return nil
}

func (fl *Follower) sortedFiles() []*tailFile {
	out := make([]*tailFile, 0, len(fl.files))
	for _, tf := range fl.files {
		out = append(out, tf)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// globDirs are the directories the globs look into (also where rotated files go).
func (fl *Follower) globDirs() []string {
	seen := map[string]bool{}
	var out []string
	add := func(d string) {
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	for _, g := range fl.opts.Paths {
		d := filepath.Dir(g)
		if !hasMeta(d) {
			add(d)
			continue
		}
		m, _ := filepath.Glob(d)
		for _, x := range m {
			add(x)
		}
	}
	return out
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[\`) }

// scan lists the globs' matches and, in their directories, the rotated siblings of the
// followed names (name.1, name-20260501, name.1.gz, ...).
func (fl *Follower) scan() ([]entry, map[fileID]entry) {
	var ents []entry
	byID := map[fileID]entry{}
	add := func(p string, inGlob bool) {
		fi, err := os.Stat(p)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				fl.fail(ReasonOpen, p, err)
			}
			return
		}
		if err := checkRegular(p, fi); err != nil {
			if inGlob {
				fl.fail(ReasonNotRegular, p, err)
			}
			return
		}
		id := idOf(fi)
		id.btime = birthOfPath(p)
		if old, ok := byID[id]; ok {
			if inGlob && !old.inGlob { // the same file under two names: the glob's wins
				old.inGlob, old.path = true, p
				byID[id] = old
				for i := range ents {
					if ents[i].id == id {
						ents[i] = old
					}
				}
			}
			return
		}
		e := entry{path: p, fi: fi, id: id, inGlob: inGlob}
		byID[id] = e
		ents = append(ents, e)
	}
	globbed := map[string]bool{}
	for _, g := range fl.opts.Paths {
		m, err := filepath.Glob(g)
		if err != nil {
			fl.fail(ReasonGlob, g, err)
			continue
		}
		for _, p := range m {
			if !globbed[p] && !excluded(p, fl.opts.Exclude) {
				globbed[p] = true
			}
		}
	}
	paths := make([]string, 0, len(globbed))
	for p := range globbed {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		add(p, true)
	}
	// Family names: the globbed files, the followed files' names and the names of the
	// files known (a followed file's glob name may be gone for a moment).
	bases := map[string]map[string]bool{} // dir -> base names
	addBase := func(p string) {
		d, b := filepath.Dir(p), filepath.Base(p)
		if bases[d] == nil {
			bases[d] = map[string]bool{}
		}
		bases[d][b] = true
	}
	for _, p := range paths {
		addBase(p)
	}
	for _, d := range fl.globDirs() {
		for _, g := range fl.opts.Paths {
			if filepath.Dir(g) == d && !hasMeta(filepath.Base(g)) {
				addBase(g)
			}
		}
	}
	for _, r := range fl.recs {
		if r.Home != "" {
			addBase(r.Home)
		}
	}
	for _, tf := range fl.files {
		if tf.home != "" {
			addBase(tf.home)
		}
	}
	dirs := make([]string, 0, len(bases))
	for d := range bases {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		des, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, de := range des {
			n := de.Name()
			p := filepath.Join(d, n)
			if globbed[p] || de.IsDir() {
				continue
			}
			for b := range bases[d] {
				if n != b && strings.HasPrefix(n, b) && !excluded(p, fl.opts.Exclude) {
					add(p, false)
					break
				}
			}
		}
	}
	return ents, byID
}

// fail counts a read that had to give up and logs it at WARN, once per path and message.
func (fl *Follower) fail(reason, path string, err error) {
	msg := err.Error()
	if fl.failed[path] != msg {
		fl.failed[path] = msg
		fl.counter.AddErrors(reason, 1)
		fl.log.Warn("log following gave up on a read", "reason", reason, "path", path, "err", msg)
	}
}

// lost counts an error that is not tied to a retried path.
func (fl *Follower) lost(reason, path, msg string) {
	fl.counter.AddErrors(reason, 1)
	fl.log.Warn("log following gave up on a read", "reason", reason, "path", path, "err", msg)
}

// emit counts an event, with the message filtered by logs[].mask and logs[].messages.
func (fl *Follower) emit(ev *Event) {
	if fl.mf.drop || len(fl.mf.res) > 0 {
		ev.Message = fl.mf.apply(ev.Message)
	}
	fl.counter.AddEvent(ev)
}

// newStream returns a line processor for a file read from off.
func (fl *Follower) newStream(off int64, now time.Time) (*lineProc, *splitter) {
	det := NewDetector(DetectorOptions{InApp: fl.opts.InApp}, fl.emit)
	lp := newLineProc(det, fl.format)
	lp.maxLine = fl.opts.MaxLineBytes
	lp.off = off
	lp.headFrom0 = off == 0
	lp.countFrom = off
	lp.skipBefore = [2]int64{off, off}
	lp.touch(now)
	return lp, newSplitterSize(fl.opts.MaxLineBytes, followBuffer)
}

// openAt starts following the file of e from off (counting lines from countFrom).
func (fl *Follower) openAt(e entry, f *os.File, off int64, resume [2]int64, now time.Time) *tailFile {
	tf := &tailFile{id: e.id, path: e.path, f: f, rotated: !e.inGlob, btime: e.id.btime, home: fl.homeOf(e)}
	var err error
	tf.hlen, tf.head, err = hashHead(f, headLen)
	if err != nil {
		fl.fail(ReasonRead, e.path, err)
		_ = f.Close()
		return nil
	}
	start := min(resume[0], resume[1], off)
	tf.lp, tf.sp = fl.newStream(start, now)
	tf.lp.countFrom = off
	tf.lp.skipBefore = resume
	if _, err := f.Seek(start, io.SeekStart); err != nil {
		fl.fail(ReasonRead, e.path, err)
		_ = f.Close()
		return nil
	}
	tf.size, tf.mtime = e.fi.Size(), e.fi.ModTime()
	tf.lastData = now
	fl.log.Debug("following file", "path", e.path, "inode", e.id.ino, "from", start, "count_from", off, "size", tf.size, "rotated", tf.rotated)
	delete(fl.failed, e.path)
	delete(fl.recs, e.id)
	fl.files[e.id] = tf
	fl.dirty = true
	return tf
}

// homeOf is the family name of a file: its glob name, or the name of the followed or
// known file whose rotated sibling it is.
func (fl *Follower) homeOf(e entry) string {
	if e.inGlob {
		// A symbolic link (/var/log/containers/*.log -> /var/log/pods/...): the file is
		// rotated where it really is.
		if t, err := filepath.EvalSymlinks(e.path); err == nil {
			return t
		}
		return e.path
	}
	best := ""
	consider := func(h string) {
		if h != "" && filepath.Dir(h) == filepath.Dir(e.path) && strings.HasPrefix(filepath.Base(e.path), filepath.Base(h)) && len(h) > len(best) {
			best = h
		}
	}
	for _, tf := range fl.files {
		consider(tf.home)
	}
	for _, r := range fl.recs {
		consider(r.Home)
	}
	for _, p := range fl.opts.Paths {
		if !hasMeta(p) {
			consider(p)
		}
	}
	if best == "" {
		if ents, err := filepath.Glob(filepath.Join(filepath.Dir(e.path), "*")); err == nil {
			for _, x := range ents {
				if x != e.path {
					for _, g := range fl.opts.Paths {
						if ok, _ := filepath.Match(g, x); ok {
							consider(x)
						}
					}
				}
			}
		}
	}
	return best
}

// isSibling reports whether path is a rotated name of a followed or known file.
func (fl *Follower) isSibling(path string) bool {
	d, b := filepath.Dir(path), filepath.Base(path)
	sib := func(h string) bool {
		return h != "" && filepath.Dir(h) == d && b != filepath.Base(h) && strings.HasPrefix(b, filepath.Base(h))
	}
	for _, tf := range fl.files {
		if sib(tf.home) {
			return true
		}
	}
	for _, r := range fl.recs {
		if sib(r.Home) {
			return true
		}
	}
	return false
}

// restore matches the records of the last run with the files found.
func (fl *Follower) restore(byID map[fileID]entry, now time.Time) {
	for id, r := range fl.recs {
		e, ok := byID[id]
		if !ok && r.Btime == 0 { // saved without a creation time (older version)
			for eid, x := range byID {
				if eid.dev == id.dev && eid.ino == id.ino {
					e, ok = x, true
					delete(fl.recs, id)
					r.Btime = eid.btime
					fl.recs[eid] = r
				}
			}
		}
		if !ok || !r.Open {
			continue
		}
		f := fl.openVerified(e)
		if f == nil {
			continue
		}
		if r.HLen > 0 && headOf(f, r.HLen) != r.Head && e.fi.Size() >= int64(r.HLen) && !sameBytesAt(f, r.Off, r.Tail) {
			// Same inode, other content, and no truncation to explain it: a new file.
			_ = f.Close()
			delete(fl.recs, id)
			fl.forget(r, now)
			continue
		}
		tf := fl.openAt(e, f, r.Off, r.Resume, now)
		if tf != nil {
			tf.restOff, tf.restTail = r.Off, r.Tail
			tf.size = -1 // check it at once
			if r.Home != "" {
				tf.home = r.Home
			}
			if r.HLen > 0 {
				tf.hlen, tf.head = r.HLen, r.Head // checked against the content by check
			}
		}
	}
}

// known handles a file that has a record and is not open.
func (fl *Follower) known(r *record, e entry, now time.Time) {
	if r.Compressed || r.CopyOf != "" {
		return
	}
	if e.fi.Size() <= r.Off {
		return
	}
	// A rotated file written to after it was released (a late writer): read the rest.
	if f := fl.openVerified(e); f != nil {
		fl.openAt(e, f, r.Off, r.Resume, now)
	}
}

// discover handles a file seen for the first time.
func (fl *Follower) discover(e entry, first bool, now time.Time) {
	f := fl.openVerified(e)
	if f == nil {
		return
	}
	// A file taken for gone (a rotation moved it while it was looked for) is back: the
	// same identity (inode and creation time) continues where it was left.
	for i, g := range fl.gone {
		if g.id() == e.id && g.Btime != 0 {
			fl.gone = append(fl.gone[:i], fl.gone[i+1:]...)
			if tf := fl.openAt(e, f, g.Off, g.Resume, now); tf != nil {
				tf.restOff, tf.restTail, tf.size = g.Off, g.Tail, -1
				if g.Home != "" {
					tf.home = g.Home
				}
			}
			return
		}
	}
	size := e.fi.Size()
	rec := func(off int64) *record {
		r := &record{Path: e.path, Dev: e.id.dev, Ino: e.id.ino, Btime: e.id.btime, Off: off, Size: size, Home: fl.homeOf(e)}
		r.HLen, r.Head, _ = hashHead(f, headLen)
		return r
	}
	if c := sniffCompressed(f); c != "" {
		defer f.Close()
		if !compressedComplete(f, c) {
			return // still being written (gzip runs after the rotation): decided when complete
		}
		r := rec(0)
		r.Compressed = true
		r.HLen, r.Head = 0, ""
		fl.recs[e.id] = r
		fl.dirty = true
		if first && !fl.hadHist {
			return // an archive that was there before: history, not news
		}
		fl.readCompressed(e, f, c, r, now)
		return
	}
	if size == 0 {
		if e.inGlob && !fl.isSibling(e.path) {
			// A new live file (logrotate's create, the application reopening): held open
			// from its creation, so it is read even if rotated away before the next look.
			fl.openAt(e, f, 0, [2]int64{}, now)
			return
		}
		_ = f.Close() // decided when it has content (a copy being made starts empty)
		return
	}
	if first && !fl.hadHist {
		if !e.inGlob {
			_ = f.Close()
			fl.recs[e.id] = rec(size) // a rotated file from before: history
			fl.dirty = true
			return
		}
		off := size
		if fl.opts.FromStart {
			off = 0
		}
		fl.openAt(e, f, off, [2]int64{off, off}, now)
		return
	}
	// A copy of a followed file (copy-truncate in progress or done, the truncation not
	// seen yet): read from that file's position when it is truncated.
	for _, tf := range fl.files {
		if isPrefixCopy(f, size, tf.f, tf.pos()) {
			fl.hold(e, f, tf.id)
			r := rec(0)
			r.CopyOf = tf.id.key()
			fl.recs[e.id] = r
			fl.dirty = true
			return
		}
	}
	// A copy of a file that is gone (a rotated copy of a file we read): what we read of it
	// is accounted for. Not for a file at the same path: that is a new file (deleted and
	// created again) even when its content begins with the old content.
	if g := fl.matchGone(f, e.path); g != nil {
		if tf := fl.openAt(e, f, g.Off, g.Resume, now); tf != nil {
			tf.restOff, tf.restTail = g.Off, g.Tail
		}
		return
	}
	// New: created since the last look (or while we were down), maybe already rotated.
	fl.openAt(e, f, 0, [2]int64{}, now)
}

// isPrefixCopy reports whether f (size bytes) holds the beginning of g (read to gpos).
func isPrefixCopy(f *os.File, size int64, g *os.File, gpos int64) bool {
	n := min(size, 4096)
	if n <= 0 {
		return false
	}
	a, b := make([]byte, n), make([]byte, n)
	if k, _ := f.ReadAt(a, 0); int64(k) != n {
		return false
	}
	if k, _ := g.ReadAt(b, 0); int64(k) != n || !bytes.Equal(a, b) {
		return false
	}
	// The same bytes just before the copy's end (or before g's position).
	end := min(size, max(gpos, n))
	t := min(end, 256)
	a, b = a[:t], b[:t]
	ka, _ := f.ReadAt(a, end-t)
	kb, _ := g.ReadAt(b, end-t)
	return int64(ka) == t && int64(kb) == t && bytes.Equal(a, b)
}

// matchGone finds the record of a disappeared file whose content f repeats (same head,
// same bytes before the record's offset), not at the same path.
func (fl *Follower) matchGone(f *os.File, path string) *record {
	for i := len(fl.gone) - 1; i >= 0; i-- {
		g := fl.gone[i]
		if g.Path == path || g.HLen < headLen && g.HLen < int(g.Off) || g.HLen == 0 {
			continue
		}
		if headOf(f, g.HLen) == g.Head && sameBytesAt(f, g.Off, g.Tail) {
			fl.gone = append(fl.gone[:i], fl.gone[i+1:]...) // used once
			return g
		}
	}
	return nil
}

// forget moves a record whose file disappeared to the gone list.
func (fl *Follower) forget(r *record, now time.Time) {
	delete(fl.recs, r.id())
	if r.CopyOf == "" && !r.Compressed && r.HLen > 0 {
		r.GoneAt = now.Unix()
		r.Open = false
		fl.gone = append(fl.gone, r)
		if len(fl.gone) > goneKeep {
			fl.reportDropped(fl.gone[:len(fl.gone)-goneKeep])
			fl.gone = fl.gone[len(fl.gone)-goneKeep:]
		}
	}
	fl.dirty = true
}

// check detects truncation (copy-truncate) and content replacement of a followed file.
func (fl *Follower) check(tf *tailFile, ents []entry, now time.Time) {
	fi, err := tf.f.Stat()
	if err != nil {
		fl.fail(ReasonRead, tf.path, err)
		return
	}
	size, mtime := fi.Size(), fi.ModTime()
	toff, tail := tf.tailAt()
	if size == tf.size && mtime.Equal(tf.mtime) && size >= tf.pos() {
		return
	}
	tf.size, tf.mtime = size, mtime
	truncated := size < max(tf.pos(), toff) || !sameBytesAt(tf.f, toff, tail)
	if !truncated && tf.hlen > 0 {
		truncated = headOf(tf.f, tf.hlen) != tf.head
	}
	if !truncated {
		if tf.hlen < headLen && size > int64(tf.hlen) {
			tf.hlen, tf.head, _ = hashHead(tf.f, headLen)
		}
		return
	}
	// The lines after our position are in the copy; read them from there.
	if !fl.readCopy(tf, ents, now) && toff > 0 {
		// No readable copy yet: logrotate may still be compressing it (compress without
		// delaycompress removes the plain copy first). What was read stays as evidence,
		// like a file that is gone: a copy found later continues from our position, the
		// open event included (so it is not flushed here). Only if none turns up is the
		// rest reported lost.
		r := fl.recordOf(tf)
		r.Dev, r.Ino, r.Btime, r.Open, r.CopyOf, r.Compressed = 0, 0, 0, false, "", false
		r.GoneAt, r.PendingLoss = now.Unix(), true
		fl.gone = append(fl.gone, r)
		if len(fl.gone) > goneKeep {
			fl.reportDropped(fl.gone[:len(fl.gone)-goneKeep])
			fl.gone = fl.gone[len(fl.gone)-goneKeep:]
		}
	} else {
		tf.lp.flush()
	}
	tf.lp, tf.sp = fl.newStream(0, now)
	tf.restOff, tf.restTail = 0, nil
	if _, err := tf.f.Seek(0, io.SeekStart); err != nil {
		fl.fail(ReasonRead, tf.path, err)
	}
	tf.hlen, tf.head, _ = hashHead(tf.f, headLen)
	fl.dirty = true
}

// readCopy finds the copy of a truncated file among the files found (same first bytes,
// the same bytes before our position; plain or compressed) and reads it from our
// position to its end, continuing the same stream. It reports whether it found one.
func (fl *Follower) readCopy(tf *tailFile, ents []entry, now time.Time) bool {
	defer fl.dropHeld(tf.id)
	toff, tail := tf.tailAt()
	// Copies seen (and kept open) before the truncation first: they may be gone by now.
	for _, h := range fl.held {
		if h.of != tf.id {
			continue
		}
		br := &prefixReader{r: io.NewSectionReader(h.f, 0, math.MaxInt64)}
		if !br.matches(tf.hlen, tf.head, toff, tail) || br.skipTo(tf.lp.off) != nil {
			continue
		}
		tf.sp.n = 0
		tf.sp.discard = false
		fl.readFrom(tf, br, tf.path, now, true)
		if r := fl.recs[h.id]; r != nil {
			fl.copyRead(r, tf)
		}
		return true
	}
	for _, e := range ents {
		if e.id == tf.id || fl.files[e.id] != nil {
			continue
		}
		if r := fl.recs[e.id]; r != nil && r.CopyOf == "" && !r.Compressed {
			continue // a file of its own, already accounted for
		}
		f, err := os.Open(e.path)
		if err != nil {
			continue
		}
		var rd io.Reader = f
		c := sniffCompressed(f)
		if c != "" {
			if !compressedComplete(f, c) { // being written: the plain copy is still there
				_ = f.Close()
				continue
			}
			if rd, err = decompressor(f, c); err != nil {
				_ = f.Close()
				continue
			}
		}
		br := &prefixReader{r: rd}
		if !br.matches(tf.hlen, tf.head, toff, tail) {
			_ = f.Close()
			continue
		}
		// Continue the stream (held partial line included) from the copy.
		start := tf.lp.off
		if err := br.skipTo(start); err != nil {
			_ = f.Close()
			continue
		}
		tf.sp.n = 0
		tf.sp.discard = false
		fl.readFrom(tf, br, tf.path, now, true)
		_ = f.Close()
		r := &record{Path: e.path, Dev: e.id.dev, Ino: e.id.ino, Btime: e.id.btime, Size: e.fi.Size(), Compressed: c != "",
			HLen: tf.hlen, Head: tf.head, Home: tf.home}
		fl.copyRead(r, tf)
		fl.recs[e.id] = r
		return true
	}
	return false
}

// copyRead marks the record of a copy as read to its end by tf's stream, which was
// flushed there: its resume points and tail are that end, so that a compressed copy of
// it found later (logrotate's compress after copytruncate) is read from there and its
// events are not emitted again.
func (fl *Follower) copyRead(r *record, tf *tailFile) {
	r.CopyOf, r.Off = "", tf.lp.off
	r.Resume = [2]int64{tf.lp.off, tf.lp.off}
	r.Tail = append([]byte(nil), tf.lp.tail...)
}

// heldCopy is a copy of a followed file (copy-truncate) kept open from the moment it is
// seen, so that its unread part can still be read when logrotate removes it (more
// rotations than it keeps) before the truncation is noticed.
type heldCopy struct {
	f    *os.File
	id   fileID
	path string
	of   fileID // the followed file it copies
}

// maxHeld bounds the copies kept open.
const maxHeld = 16

func (fl *Follower) hold(e entry, f *os.File, of fileID) {
	if old := fl.held[e.id]; old != nil {
		_ = old.f.Close()
	} else if len(fl.held) >= maxHeld {
		_ = f.Close()
		return
	}
	fl.held[e.id] = &heldCopy{f: f, id: e.id, path: e.path, of: of}
}

// dropHeld closes the copies held for a followed file.
func (fl *Follower) dropHeld(of fileID) {
	for id, h := range fl.held {
		if h.of == of {
			_ = h.f.Close()
			delete(fl.held, id)
		}
	}
}

// readCompressed reads a compressed file not seen before: the part of a known content
// that was not read (a rotated file compressed before we finished it), or all of it.
func (fl *Follower) readCompressed(e entry, f *os.File, c string, r *record, now time.Time) {
	rd, err := decompressor(f, c)
	if err != nil {
		if c == "xz" || c == "zstd" {
			return // cannot be read (no decoder in the standard library): never text
		}
		fl.lost(ReasonDecompress, e.path, err.Error())
		return
	}
	br := &prefixReader{r: rd}
	// A compressed copy of a file still followed (delaycompress: the rotated file is
	// compressed while we read it): that file is read to its end; the copy adds nothing.
	for _, tf := range fl.files {
		if tf.hlen > 0 && br.matches(tf.hlen, tf.head, min(tf.lp.off, int64(tf.hlen)), nil) {
			r.CopyOf = tf.id.key()
			return
		}
	}
	var from, countFrom int64
	var resume [2]int64
	matched := false
	for i := len(fl.gone) - 1; i >= 0 && !matched; i-- {
		g := fl.gone[i]
		if g.HLen > 0 && br.matches(g.HLen, g.Head, g.Off, g.Tail) {
			matched, countFrom, resume = true, g.Off, g.Resume
			fl.gone = append(fl.gone[:i], fl.gone[i+1:]...) // its rest is read now, once
		}
	}
	if !matched {
		for _, o := range fl.recs {
			if o.Compressed || o.CopyOf != "" || o.HLen == 0 || o.id() == e.id {
				continue
			}
			if br.matches(o.HLen, o.Head, o.Off, o.Tail) {
				matched, countFrom, resume = true, o.Off, o.Resume
				o.Open = false // read from its compressed copy
				break
			}
		}
	}
	if matched {
		from = min(resume[0], resume[1], countFrom)
	}
	if err := br.skipTo(from); err != nil {
		fl.lost(ReasonDecompress, e.path, err.Error())
		return
	}
	lp, sp := fl.newStream(from, now)
	lp.countFrom = countFrom
	lp.skipBefore = [2]int64{max(resume[0], from), max(resume[1], from)}
	if !matched {
		lp.skipBefore = [2]int64{}
	}
	tf := &tailFile{id: e.id, path: e.path, f: f, lp: lp, sp: sp, rotated: true}
	fl.readFrom(tf, br, e.path, now, true)
	r.Off = lp.off
}

// compressedComplete reports whether f holds a whole compressed stream (a file being
// compressed ends early). Formats that cannot be read count as complete.
func compressedComplete(f *os.File, c string) bool {
	rd, err := decompressor(f, c)
	if err != nil {
		return c == "xz" || c == "zstd"
	}
	_, err = io.Copy(io.Discard, rd)
	return err == nil
}

// decompressor returns a reader of the decompressed content.
func decompressor(f *os.File, c string) (io.Reader, error) {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("logscan: seek %s: %w", f.Name(), err)
	}
	switch c {
	case "gzip":
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("logscan: gzip %s: %w", f.Name(), err)
		}
		return zr, nil
	case "bzip2":
		return bzip2.NewReader(f), nil
	}
	return nil, fmt.Errorf("logscan: %s: %s compressed files cannot be read", f.Name(), c)
}

// prefixReader reads a stream whose first bytes are kept to compare them.
type prefixReader struct {
	r    io.Reader
	buf  []byte // bytes read but not consumed yet, from offset boff
	boff int64
	off  int64 // stream offset of the next byte returned by Read
	err  error
}

// fillTo reads until n bytes from the stream start are buffered (or the stream ends).
func (p *prefixReader) fillTo(n int64) {
	for p.boff+int64(len(p.buf)) < n && p.err == nil {
		chunk := make([]byte, min(n-p.boff-int64(len(p.buf)), 1<<20))
		k, err := io.ReadFull(p.r, chunk)
		p.buf = append(p.buf, chunk[:k]...)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = io.EOF // the stream is shorter than asked: its end, not an error
		}
		if err != nil {
			p.err = err
		}
	}
}

// matches reports whether the stream starts with hlen bytes hashing to head and holds
// tail just before off. It consumes nothing (the bytes stay buffered, up to off).
func (p *prefixReader) matches(hlen int, head string, off int64, tail []byte) bool {
	if hlen <= 0 || p.boff != 0 {
		return false
	}
	p.fillTo(max(int64(hlen), off))
	if int64(len(p.buf)) < int64(hlen) {
		return false
	}
	sum := sha256.Sum256(p.buf[:hlen])
	if hex.EncodeToString(sum[:8]) != head {
		return false
	}
	if int64(len(p.buf)) < off {
		return false
	}
	return off >= int64(len(tail)) && bytes.Equal(p.buf[off-int64(len(tail)):off], tail)
}

// skipTo discards the stream up to off.
func (p *prefixReader) skipTo(off int64) error {
	if off < p.boff {
		return errors.New("logscan: cannot seek back in a compressed stream")
	}
	p.fillTo(off)
	drop := off - p.boff
	if drop > int64(len(p.buf)) {
		return fmt.Errorf("logscan: the copy is shorter than %d bytes", off)
	}
	p.buf = p.buf[drop:]
	p.boff = off
	return nil
}

func (p *prefixReader) Read(b []byte) (int, error) {
	if len(p.buf) > 0 {
		n := copy(b, p.buf)
		p.buf = p.buf[n:]
		p.boff += int64(n)
		return n, nil
	}
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.r.Read(b)
	p.boff += int64(n)
	return n, err
}

// read reads what is new in tf (at most MaxReadPerPoll bytes unless final); at final
// (the file is going away) it also processes a last line without newline.
func (fl *Follower) read(tf *tailFile, now time.Time, final bool) {
	fl.readFrom(tf, tf.f, tf.path, now, final)
}

func (fl *Follower) readFrom(tf *tailFile, r io.Reader, path string, now time.Time, final bool) {
	var total int64
	lines0, bytes0, long0 := tf.lp.lines, tf.lp.bytes, tf.lp.longLines
	for final || total < fl.opts.MaxReadPerPoll {
		k, err := tf.sp.fill(r)
		total += int64(k)
		if k > 0 {
			tf.sp.drain(tf.lp)
			tf.lastData = now
			tf.lp.touch(now)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				fl.fail(ReasonRead, path, err)
			}
			break
		}
		if k == 0 {
			break
		}
	}
	if final {
		tf.sp.finish(tf.lp)
		tf.lp.flush()
	}
	if total > 0 {
		fl.dirty = true
	}
	// A head hashed when the file was still short (just created or truncated) is
	// completed from the bytes the stream read, so that a copy made by the next
	// truncation is recognised by more than an empty head.
	if tf.lp.headFrom0 && len(tf.lp.head) > tf.hlen {
		sum := sha256.Sum256(tf.lp.head)
		tf.hlen, tf.head = len(tf.lp.head), hex.EncodeToString(sum[:8])
	}
	fl.counter.AddLines(tf.lp.lines-lines0, tf.lp.bytes-bytes0)
	if n := tf.lp.longLines - long0; n > 0 {
		fl.counter.AddErrors(ReasonLineTooLong, n)
		fl.log.Warn("log line over the length cap: its head was kept, the rest skipped", "path", path, "lines", n)
	}
}

// release stops following a file; unless it is gone, a record keeps what was read.
func (fl *Follower) release(tf *tailFile, now time.Time, gone bool) {
	fl.log.Debug("file released", "path", tf.path, "inode", tf.id.ino, "read_to", tf.lp.off, "gone", gone)
	fl.dropHeld(tf.id)
	_ = tf.f.Close()
	delete(fl.files, tf.id)
	r := fl.recordOf(tf)
	r.Open = false
	if gone {
		fl.forget(r, now)
		return
	}
	fl.recs[tf.id] = r
	fl.dirty = true
}

// recordOf is the record of an open file.
func (fl *Follower) recordOf(tf *tailFile) *record {
	r := &record{Path: tf.path, Dev: tf.id.dev, Ino: tf.id.ino, Btime: tf.btime, Off: tf.lp.off, HLen: tf.hlen, Head: tf.head,
		Tail: append([]byte(nil), tf.lp.tail...), Open: true, Size: tf.size, Home: tf.home}
	r.Resume = tf.lp.resumePoints()
	if tf.restOff > tf.lp.off { // not yet back where the last run was
		r.Off, r.Tail = tf.restOff, tf.restTail
	}
	return r
}

// saveState saves positions and counters together (one row), at most once per poll
// interval unless forced.
func (fl *Follower) saveState(ctx context.Context, now time.Time, force bool) {
	fps := fl.counter.TakeNewSeen()
	if fl.store == nil {
		return
	}
	if len(fps) > 0 {
		if err := fl.store.AddSeenFingerprints(ctx, fl.opts.Name, fps, fl.opts.SeenLimit); err != nil {
			fl.fail(ReasonStore, "store", fmt.Errorf("logscan: save seen fingerprints: %w", err))
		}
	}
	// A large top-k makes a large row: save it less often (a restart then reads more
	// again, without counting it again).
	every := max(fl.opts.PollInterval, time.Duration(fl.counter.tracked()/100)*time.Second)
	if !fl.dirty || !force && now.Sub(fl.lastSave) < every {
		return
	}
	// Closed hours go to rows of their own first (once); the follower row then carries
	// only the open ones. A crash between the two leaves an hour in both, and loading
	// prefers the follower row's copy: nothing is counted twice.
	save, drop := fl.counter.hoursToSave(now)
	for h, m := range save {
		v, err := jsonMarshal(m)
		if err == nil {
			err = fl.store.SaveLogState(ctx, fl.opts.Name, hourKey(h), v)
		}
		if err != nil {
			fl.fail(ReasonStore, "store", fmt.Errorf("logscan: save hourly counts: %w", err))
			return
		}
	}
	fl.counter.markSaved(save)
	for _, h := range drop {
		if err := fl.store.DeleteLogState(ctx, fl.opts.Name, hourKey(h)); err != nil {
			fl.fail(ReasonStore, "store", fmt.Errorf("logscan: drop hourly counts: %w", err))
			return
		}
	}
	p := persisted{V: 2, Counter: fl.counter.snapshot()}
	for _, tf := range fl.files {
		if tf.lp == nil {
			continue
		}
		p.Files = append(p.Files, *fl.recordOf(tf))
	}
	for _, r := range fl.recs {
		p.Files = append(p.Files, *r)
	}
	sort.Slice(p.Files, func(i, j int) bool { return p.Files[i].Path < p.Files[j].Path })
	for _, g := range fl.gone {
		p.Gone = append(p.Gone, *g)
	}
	v, err := jsonMarshal(p)
	if err == nil {
		err = fl.store.SaveLogState(ctx, fl.opts.Name, stateKey, v)
	}
	if err != nil {
		fl.fail(ReasonStore, "store", fmt.Errorf("logscan: save positions: %w", err))
		return
	}
	delete(fl.failed, "store")
	fl.lastSave, fl.dirty = now, false
}

// hashHead hashes the first min(size, n) bytes of f without moving its offset.
func hashHead(f *os.File, n int) (int, string, error) {
	buf := make([]byte, n)
	k, err := f.ReadAt(buf, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, "", fmt.Errorf("logscan: read head of %s: %w", f.Name(), err)
	}
	sum := sha256.Sum256(buf[:k])
	return k, hex.EncodeToString(sum[:8]), nil
}

// headOf is the hash of the first n bytes ("" when the file is shorter).
func headOf(f *os.File, n int) string {
	buf := make([]byte, n)
	k, _ := f.ReadAt(buf, 0)
	if k < n {
		return ""
	}
	sum := sha256.Sum256(buf[:k])
	return hex.EncodeToString(sum[:8])
}

// sameBytesAt reports whether f holds tail just before off.
func sameBytesAt(f *os.File, off int64, tail []byte) bool {
	if int64(len(tail)) > off {
		return false
	}
	buf := make([]byte, len(tail))
	n, _ := f.ReadAt(buf, off-int64(len(tail)))
	return n == len(tail) && string(buf) == string(tail)
}
