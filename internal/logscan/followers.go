package logscan

import (
	"context"
	"fmt"
	"sync"
)

// Followers runs one Follower per configured log input.
type Followers struct {
	list []*Follower
}

// NewFollowers returns followers for logs (in order); names must be unique.
func NewFollowers(logs []FollowOptions, store StateStore) (*Followers, error) {
	fs := &Followers{}
	seen := make(map[string]bool, len(logs))
	for _, o := range logs {
		if o.Name == "" || seen[o.Name] {
			return nil, fmt.Errorf("logscan: log name %q is empty or used twice", o.Name)
		}
		seen[o.Name] = true
		fl, err := NewFollower(o, store)
		if err != nil {
			return nil, fmt.Errorf("logscan: log %s: %w", o.Name, err)
		}
		fs.list = append(fs.list, fl)
	}
	return fs, nil
}

// Run follows every log until ctx is done.
func (fs *Followers) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, fl := range fs.list {
		wg.Go(func() { _ = fl.Run(ctx) })
	}
	wg.Wait()
	return nil
}

// Stats returns the figures of every log, in configuration order.
func (fs *Followers) Stats() []Stats {
	out := make([]Stats, 0, len(fs.list))
	for _, fl := range fs.list {
		out = append(out, fl.Counter().Stats())
	}
	return out
}

// Get returns the follower of a log, or nil.
func (fs *Followers) Get(name string) *Follower {
	for _, fl := range fs.list {
		if fl.opts.Name == name {
			return fl
		}
	}
	return nil
}
