// Package sourcetest is what the tests of the API sources share: a memory Sink keyed
// like the store, a fake Clock, log capture with a check that the token never leaks,
// the test environment around a fake API (Env), the $HERO_REFERENCE_DIR rule of the
// conformance tests (Reference), OpenAPI validation of recorded responses, and the
// plumbing of the fake APIs themselves (Recorder).
//
// It is for tests and the fakes only: production code must not import it.
package sourcetest
