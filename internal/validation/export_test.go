package validation

// SkipDecisionLocks leaves the model locks and the request row lock out of s's approval
// decisions: for the negative control of the last-approval race only.
func SkipDecisionLocks(s *Service) { s.skipDecisionLocks = true }

// SkipRequestLock makes s read a request without its row lock where assignments, outcomes and
// model changes take it. Test-only (this file is compiled only into the package's tests): the
// negative controls of the concurrent-primary and concurrent-outcome tests show that without the
// lock (and without the partial unique index or unique constraint) concurrent calls leave more
// than one primary validator, or more than one outcome.
func SkipRequestLock(s *Service) { s.noRequestLock = true }
