package policy

// ReadWithoutLock makes s read the policy an edit replaces without its row lock. Test-only (this
// file is compiled only into the package's tests): the negative control of TestPolicyEditsChain
// shows that without the lock concurrent edits read the same row, and their audit rows' "from"
// no longer chain.
func ReadWithoutLock(s *Service) { s.controls.readWithoutLock = true }
