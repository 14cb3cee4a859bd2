package validation

// SkipDecisionLocks leaves the model locks and the request row lock out of s's approval
// decisions: for the negative control of the last-approval race only.
func SkipDecisionLocks(s *Service) { s.skipDecisionLocks = true }

// SkipRequestLock makes s read a request without its row lock where assignments, outcomes and
// model changes take it. Test-only (this file is compiled only into the package's tests): the
// negative control of the concurrent-primary test shows that without the lock (and without the
// partial unique index) concurrent calls leave more than one primary validator.
func SkipRequestLock(s *Service) { s.noRequestLock = true }
