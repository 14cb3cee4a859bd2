package validation

// SkipDecisionLocks leaves the model locks and the request row lock out of s's approval
// decisions: for the negative control of the last-approval race only.
func SkipDecisionLocks(s *Service) { s.skipDecisionLocks = true }
