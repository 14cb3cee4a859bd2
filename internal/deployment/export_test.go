package deployment

// DisableSavepoints makes s run bulk tasks without savepoints. Test-only (this file is compiled
// only into the package's tests): the negative control uses it to show that without savepoints
// one failing task loses the whole batch.
func DisableSavepoints(s *Service) { s.noSavepoints = true }
