package logscan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
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
}

// followBuffer is the initial read buffer per followed file (it grows for long lines).
const followBuffer = 64 << 10

// headLen is how many leading bytes identify a file's content.
const headLen = 1024

// fileState is what is persisted per followed file.
type fileState struct {
	Path string `json:"path"`
	Dev  uint64 `json:"dev"`
	Ino  uint64 `json:"ino"`
	Off  int64  `json:"off"`
	HLen int    `json:"hlen"`
	Head string `json:"head"`
}

type fileID struct{ dev, ino uint64 }

func (id fileID) key() string { return fmt.Sprintf("%d:%d", id.dev, id.ino) }

// tailFile is one open followed file.
type tailFile struct {
	id       fileID
	path     string
	f        *os.File
	sp       *splitter
	lp       *lineProc
	det      *Detector
	hlen     int
	head     string // hex sha256 of the first hlen bytes
	saved    int64  // last persisted offset (-1: never)
	lastData time.Time
	size     int64
	mtime    time.Time
}

// Follower follows the files of one log input and counts their exceptions.
type Follower struct {
	opts    FollowOptions
	format  int
	store   StateStore
	counter *Counter

	files      map[fileID]*tailFile
	states     map[fileID]fileState // persisted states not yet matched to an open file
	done       map[string]doneFile  // head hash -> what was read of a released file
	doneOrd    []string
	failed     map[string]string // path -> last error, to count each failure once
	mf         *messageFilter
	compressed map[fileID]bool
	log        *slog.Logger
	started    bool
	hadHist    bool // the store had positions: files found at the first poll appeared while down
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
	return &Follower{
		mf:         mf,
		log:        opts.Logger.With("log", opts.Name),
		opts:       opts,
		format:     format,
		store:      store,
		counter:    NewCounter(opts.Name, opts.TopK, opts.SeenLimit),
		files:      make(map[fileID]*tailFile),
		states:     make(map[fileID]fileState),
		done:       make(map[string]doneFile),
		failed:     make(map[string]string),
		compressed: make(map[fileID]bool),
	}, nil
}

// Counter returns the follower's figures (safe to read concurrently with Run).
func (fl *Follower) Counter() *Counter { return fl.counter }

// Run polls until ctx is done, then saves positions and closes the files.
func (fl *Follower) Run(ctx context.Context) error {
	t := time.NewTicker(fl.opts.PollInterval)
	defer t.Stop()
	for {
		if err := fl.Poll(ctx); err != nil && ctx.Err() == nil {
			fl.fail(ReasonStore, "store", err)
		}
		select {
		case <-ctx.Done():
			fl.Close(context.WithoutCancel(ctx))
			return nil
		case <-t.C:
		}
	}
}

// Close saves positions and closes every file. Open events are not flushed: their
// lines are read again after a restart (the saved offset is where they began).
func (fl *Follower) Close(ctx context.Context) {
	for id, tf := range fl.files {
		fl.save(ctx, tf)
		_ = tf.f.Close()
		delete(fl.files, id)
	}
	fl.saveSeen(ctx)
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
	for _, v := range st {
		var s fileState
		if json.Unmarshal(v, &s) == nil {
			fl.states[fileID{s.Dev, s.Ino}] = s
			fl.hadHist = true
		}
	}
	seen, err := fl.store.LoadSeenFingerprints(ctx, fl.opts.Name)
	if err != nil {
		return fmt.Errorf("logscan: load seen fingerprints of %s: %w", fl.opts.Name, err)
	}
	fl.counter.LoadSeen(seen)
	return nil
}

// Poll does one pass: finds files, handles rotation, reads new lines, flushes quiet
// events and saves positions. Errors about single files are counted, not returned.
func (fl *Follower) Poll(ctx context.Context) error {
	first := !fl.started
	if first {
		if err := fl.start(ctx); err != nil {
			fl.started = false
			return err
		}
	}
	now := fl.opts.Now()
	paths := fl.glob()
	present := make(map[fileID]bool, len(paths))
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			fl.fail(ReasonOpen, p, err)
			continue
		}
		if err := checkRegular(p, fi); err != nil {
			fl.fail(ReasonNotRegular, p, err)
			continue
		}
		id := idOf(fi)
		if present[id] {
			continue // the same file under two names
		}
		present[id] = true
		if tf, ok := fl.files[id]; ok {
			tf.path = p
			continue
		}
		if fl.compressed[id] {
			continue
		}
		fl.open(p, id, fi, first)
	}
	// Files no longer found (deleted, or rotated out of the globs): read to the end, release.
	for id, tf := range fl.files {
		if !present[id] {
			fl.read(tf, now, true)
			fl.release(ctx, tf)
		}
	}
	if first {
		// Positions of files gone while we were down.
		for id := range fl.states {
			if fl.store != nil {
				if err := fl.store.DeleteLogState(ctx, fl.opts.Name, id.key()); err != nil {
					fl.fail(ReasonStore, "store", fmt.Errorf("logscan: forget position: %w", err))
				}
			}
			delete(fl.states, id)
		}
	}
	ids := make([]fileID, 0, len(fl.files))
	for id := range fl.files {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return fl.files[ids[i]].path < fl.files[ids[j]].path })
	for _, id := range ids {
		tf := fl.files[id]
		fl.check(tf, paths, now)
		fl.read(tf, now, false)
		tf.lp.flushIfQuiet(now, fl.opts.QuietFlush)
		fl.save(ctx, tf)
	}
	fl.counter.SetFiles(len(fl.files))
	fl.saveSeen(ctx)
	return nil
}

func (fl *Follower) glob() []string {
	seen := make(map[string]bool)
	var out []string
	for _, g := range fl.opts.Paths {
		m, err := filepath.Glob(g)
		if err != nil {
			fl.fail(ReasonGlob, g, err)
			continue
		}
		for _, p := range m {
			if !seen[p] && !excluded(p, fl.opts.Exclude) {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
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

// open starts following a file found at path.
func (fl *Follower) open(path string, id fileID, fi os.FileInfo, first bool) {
	f, err := os.Open(path)
	if err != nil {
		fl.fail(ReasonOpen, path, err)
		return
	}
	delete(fl.failed, path)
	if c := sniffCompressed(f); c != "" {
		// A compressed (rotated) file matched by the globs: never read as text.
		_ = f.Close()
		if !fl.compressed[id] {
			fl.compressed[id] = true
			fl.log.Debug("compressed file matched by the globs is not read as text", "path", path, "compression", c)
		}
		return
	}
	tf := &tailFile{id: id, path: path, f: f, saved: -1}
	tf.hlen, tf.head, err = hashHead(f, headLen)
	if err != nil {
		fl.fail(ReasonOpen, path, err)
		_ = f.Close()
		return
	}
	var off int64
	orig := fl.copyOf(tf)
	st, known := fl.states[id]
	delete(fl.states, id)
	switch {
	case known && st.Head == headOf(f, st.HLen) && st.Off <= fi.Size():
		off = st.Off // resume
	case known:
		off = 0 // same inode, other content: a new file
	case orig != nil:
		off = min(orig.lp.off, fi.Size()) // a copy of a followed file (copy-truncate): only what follows
	case fl.doneOffset(tf) >= 0:
		off = fl.doneOffset(tf) // a file already read under another identity (a copy)
	case first && !fl.hadHist && !fl.opts.FromStart:
		off = fi.Size() // never seen: start at the end
	case first && !fl.hadHist:
		off = 0
	default:
		off = 0 // appeared since we started (or while we were down): all of it is new
	}
	if off > 0 {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			fl.fail(ReasonOpen, path, err)
			_ = f.Close()
			return
		}
	}
	tf.det = NewDetector(DetectorOptions{InApp: fl.opts.InApp}, fl.emit)
	tf.lp = newLineProc(tf.det, fl.format)
	tf.lp.off = off
	tf.sp = newSplitterSize(fl.opts.MaxLineBytes, followBuffer)
	tf.size, tf.mtime = fi.Size(), fi.ModTime()
	tf.lastData = fl.opts.Now()
	tf.lp.touch(tf.lastData)
	fl.files[id] = tf
}

// emit counts an event, with the message filtered by logs[].mask and logs[].messages.
func (fl *Follower) emit(ev *Event) {
	if fl.mf.drop || len(fl.mf.res) > 0 {
		ev.Message = fl.mf.apply(ev.Message)
	}
	fl.counter.AddEvent(ev)
}

// doneFile is what was read of a released file.
type doneFile struct {
	off  int64
	tail []byte
}

// copyOf returns the open file whose content tf repeats up to that file's position (tf
// is its copy), if any: same first bytes and same bytes just before the position.
func (fl *Follower) copyOf(tf *tailFile) *tailFile {
	if tf.hlen < headLen {
		return nil
	}
	for _, o := range fl.files {
		if o.hlen == tf.hlen && o.head == tf.head && o.id != tf.id && sameBytesAt(tf.f, o.lp.off, o.lp.tail) {
			return o
		}
	}
	return nil
}

func (fl *Follower) doneOffset(tf *tailFile) int64 {
	if tf.hlen < headLen {
		return -1 // too short to identify content
	}
	if d, ok := fl.done[tf.head]; ok && sameBytesAt(tf.f, d.off, d.tail) {
		return d.off
	}
	return -1
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

// check detects truncation (copy-truncate) and content replacement of an open file.
func (fl *Follower) check(tf *tailFile, paths []string, now time.Time) {
	fi, err := tf.f.Stat()
	if err != nil {
		fl.fail(ReasonRead, tf.path, err)
		return
	}
	size, mtime := fi.Size(), fi.ModTime()
	pos := tf.lp.off + int64(tf.sp.n)
	if size == tf.size && mtime.Equal(tf.mtime) && size >= pos {
		return
	}
	tf.size, tf.mtime = size, mtime
	truncated := size < pos
	replaced := false
	if !truncated && tf.hlen > 0 {
		replaced = headOf(tf.f, tf.hlen) != tf.head
	}
	if !truncated && !replaced {
		if tf.hlen < headLen && size > int64(tf.hlen) {
			tf.hlen, tf.head, _ = hashHead(tf.f, headLen)
		}
		return
	}
	// Copy-truncate: the lines after our position are in the copy; read them from there.
	fl.readCopy(tf, paths, now)
	tf.lp.flush()
	tf.lp = newLineProc(tf.det, fl.format)
	tf.sp = newSplitterSize(fl.opts.MaxLineBytes, followBuffer)
	if _, err := tf.f.Seek(0, io.SeekStart); err != nil {
		fl.fail(ReasonRead, tf.path, err)
	}
	tf.hlen, tf.head, _ = hashHead(tf.f, headLen)
	tf.saved = -1
}

// readCopy looks for the copy of a truncated file (same first bytes, another inode)
// among the followed paths and the rotated siblings (name.1, name-2026...) and reads it
// from the old position to its end.
func (fl *Follower) readCopy(tf *tailFile, paths []string, now time.Time) {
	pos := tf.lp.off
	cands := append([]string(nil), paths...)
	if ents, err := os.ReadDir(filepath.Dir(tf.path)); err == nil {
		base := filepath.Base(tf.path)
		for _, e := range ents {
			n := e.Name()
			if n != base && strings.HasPrefix(n, base) {
				cands = append(cands, filepath.Join(filepath.Dir(tf.path), n))
			}
		}
	}
	for _, p := range cands {
		fi, err := os.Stat(p)
		if err != nil || idOf(fi) == tf.id || fi.Size() < pos || !fi.Mode().IsRegular() {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		if tf.hlen == 0 || headOf(f, tf.hlen) != tf.head || !sameBytesAt(f, pos, tf.lp.tail) {
			_ = f.Close()
			continue
		}
		if fl.files[idOf(fi)] != nil { // the copy is followed itself, from our position
			_ = f.Close()
			return
		}
		if _, err := f.Seek(pos, io.SeekStart); err == nil {
			// Continue the same stream (held partial line included) from the copy.
			tf.sp.n = 0
			tf.sp.discard = false
			old := tf.f
			tf.f = f
			fl.read(tf, now, true)
			tf.f = old
			fl.markDone(tf.head, tf.hlen, tf.lp.off, tf.lp.tail)
		}
		_ = f.Close()
		return
	}
}

func (fl *Follower) markDone(head string, hlen int, off int64, tail []byte) {
	if hlen < headLen {
		return
	}
	if _, ok := fl.done[head]; !ok {
		fl.doneOrd = append(fl.doneOrd, head)
		if len(fl.doneOrd) > 256 {
			delete(fl.done, fl.doneOrd[0])
			fl.doneOrd = fl.doneOrd[1:]
		}
	}
	fl.done[head] = doneFile{off: off, tail: append([]byte(nil), tail...)}
}

// read reads what is new in tf (at most MaxReadPerPoll bytes unless final); at final
// (the file is going away) it also processes a last line without newline.
func (fl *Follower) read(tf *tailFile, now time.Time, final bool) {
	var total int64
	lines0, bytes0, long0 := tf.lp.lines, tf.lp.bytes, tf.lp.longLines
	for final || total < fl.opts.MaxReadPerPoll {
		k, err := tf.sp.fill(tf.f)
		total += int64(k)
		if k > 0 {
			tf.sp.drain(tf.lp)
			tf.lastData = now
			tf.lp.touch(now)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				fl.fail(ReasonRead, tf.path, err)
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
	fl.counter.AddLines(tf.lp.lines-lines0, tf.lp.bytes-bytes0)
	if n := tf.lp.longLines - long0; n > 0 {
		fl.counter.AddErrors(ReasonLineTooLong, n)
		fl.log.Warn("log line over the length cap: its head was kept, the rest skipped", "path", tf.path, "lines", n)
	}
}

// release stops following a file that is gone.
func (fl *Follower) release(ctx context.Context, tf *tailFile) {
	fl.markDone(tf.head, tf.hlen, tf.lp.off, tf.lp.tail)
	_ = tf.f.Close()
	delete(fl.files, tf.id)
	if fl.store != nil && tf.saved >= 0 {
		if err := fl.store.DeleteLogState(ctx, fl.opts.Name, tf.id.key()); err != nil {
			fl.fail(ReasonRead, tf.path, err)
		}
	}
}

func (fl *Follower) save(ctx context.Context, tf *tailFile) {
	if fl.store == nil {
		return
	}
	off := tf.lp.safeOffset()
	if off == tf.saved {
		return
	}
	v, _ := json.Marshal(fileState{Path: tf.path, Dev: tf.id.dev, Ino: tf.id.ino, Off: off, HLen: tf.hlen, Head: tf.head})
	if err := fl.store.SaveLogState(ctx, fl.opts.Name, tf.id.key(), v); err != nil {
		fl.fail(ReasonStore, "store", fmt.Errorf("logscan: save position of %s: %w", tf.path, err))
		return
	}
	tf.saved = off
}

func (fl *Follower) saveSeen(ctx context.Context) {
	if fl.store == nil {
		fl.counter.TakeNewSeen()
		return
	}
	fps := fl.counter.TakeNewSeen()
	if len(fps) == 0 {
		return
	}
	if err := fl.store.AddSeenFingerprints(ctx, fl.opts.Name, fps, fl.opts.SeenLimit); err != nil {
		fl.fail(ReasonStore, "store", fmt.Errorf("logscan: save seen fingerprints: %w", err))
	}
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
