package logscan

import (
	"context"
	"encoding/json"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Run looks at the files until ctx is done, then saves the state and closes the files.
// It looks every PollInterval and, unless NoWatch, as soon as a file is created, renamed
// or removed in the globs' directories (inotify), so that a file created and rotated
// away between two polls is still seen and opened.
func (fl *Follower) Run(ctx context.Context) error {
	t := time.NewTicker(fl.opts.PollInterval)
	defer t.Stop()
	var w *fsnotify.Watcher
	watched := map[string]bool{}
	if !fl.opts.NoWatch {
		var err error
		if w, err = fsnotify.NewWatcher(); err != nil {
			fl.fail(ReasonWatch, "inotify", err)
			w = nil
		} else {
			defer w.Close()
		}
	}
	var events <-chan fsnotify.Event
	var errs <-chan error
	if w != nil {
		events, errs = w.Events, w.Errors
	}
	for {
		if err := fl.Poll(ctx); err != nil && ctx.Err() == nil {
			fl.fail(ReasonStore, "store", err)
		}
		if w != nil {
			fl.syncWatches(w, watched)
		}
		select {
		case <-ctx.Done():
			fl.Close(context.WithoutCancel(ctx))
			return nil
		case <-t.C:
		case ev := <-events:
			for !fl.interesting(ev) {
				select {
				case ev = <-events:
					continue
				case <-t.C:
				case <-ctx.Done():
					fl.Close(context.WithoutCancel(ctx))
					return nil
				}
				break
			}
		case err := <-errs:
			fl.fail(ReasonWatch, "inotify", err)
		}
	}
}

// interesting reports whether a file event calls for a look now: a file created, renamed
// or removed (writes wait for the next poll).
func (fl *Follower) interesting(ev fsnotify.Event) bool {
	return ev.Has(fsnotify.Create) || ev.Has(fsnotify.Rename) || ev.Has(fsnotify.Remove)
}

// syncWatches watches the globs' directories (added and removed as they come and go).
func (fl *Follower) syncWatches(w *fsnotify.Watcher, watched map[string]bool) {
	want := map[string]bool{}
	for _, d := range fl.globDirs() {
		want[filepath.Clean(d)] = true
	}
	for _, tf := range fl.files { // where the followed files really are (symbolic links)
		if tf.home != "" {
			want[filepath.Dir(tf.home)] = true
		}
	}
	for d := range want {
		if !watched[d] {
			if err := w.Add(d); err != nil {
				fl.fail(ReasonWatch, d, err)
				continue
			}
			delete(fl.failed, d)
			watched[d] = true
		}
	}
	for d := range watched {
		if !want[d] {
			_ = w.Remove(d)
			delete(watched, d)
		}
	}
}

func jsonMarshal(v any) ([]byte, error)   { return json.Marshal(v) }
func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
