package validation

import "github.com/jackc/pgx/v5"

// SkipModelLocks makes s create and edit requests without the per-model advisory locks. Test-only
// (this file is compiled only into the package's tests): the negative controls of the DATA-01
// race tests show that without the lock concurrent creates for one model both succeed, or meet
// the unique index instead.
func SkipModelLocks(s *Service) { s.controls.skipModelLocks = true }

// LockInGivenOrder makes s take a create's model locks in the order the request lists its models
// instead of ascending: the negative control showing that two requests listing the same models in
// opposite orders deadlock.
func LockInGivenOrder(s *Service) { s.controls.lockInGivenOrder = true }

// LockOneByOne makes s send each model lock of a create in its own round trip instead of
// pipelining them. The pipeline takes a request's locks microseconds apart, which makes an
// opposite-order deadlock rare but not impossible; the lock-order tests widen the window back so
// that their outcome shows the order, not the timing.
func LockOneByOne(s *Service) { s.controls.lockOneByOne = true }

// UseRepeatableRead makes s create under REPEATABLE READ instead of READ COMMITTED: the tests
// showing that the lock-then-check needs READ COMMITTED.
func UseRepeatableRead(s *Service) { s.controls.isolation = pgx.RepeatableRead }

// SkipDecisionLocks leaves the model locks and the request row lock out of s's approval
// decisions: for the negative control of the last-approval race only.
func SkipDecisionLocks(s *Service) { s.controls.skipDecisionLocks = true }

// SkipRequestLock makes s read a request without its row lock where assignments, outcomes and
// model changes take it. Test-only (this file is compiled only into the package's tests): the
// negative controls of the concurrent-primary and concurrent-outcome tests show that without the
// lock (and without the partial unique index or unique constraint) concurrent calls leave more
// than one primary validator, or more than one outcome; the submission race's control shows that
// without it concurrent submissions are all recorded, the later overwriting the first.
func SkipRequestLock(s *Service) { s.controls.noRequestLock = true }

// ServiceTransitions returns the status changes only the service makes (a copy): the transition
// table's test compares it with the database's.
func ServiceTransitions() map[string][]string { return cloneTransitions(serviceTransitions) }
