package deployment

// DisableSavepoints makes s run bulk tasks without savepoints. Test-only (this file is compiled
// only into the package's tests): the negative control uses it to show that without savepoints
// one failing task loses the whole batch.
func DisableSavepoints(s *Service) { s.controls.noSavepoints = true }

// LockInCallerOrder makes s lock a call's tasks one by one in the order the caller gave them,
// before its usual ascending lock. Test-only: the negative control of the overlapping-calls test
// shows that without a fixed order concurrent calls deadlock.
func LockInCallerOrder(s *Service) { s.controls.lockInCallerOrder = true }

// DisableModelLocks makes s confirm without locking the tasks' models (nor their versions and
// validation requests), and deploy now without taking them before its inserts. Test-only: the
// negative controls of the last-regions test and of the deploy-now race
// (TestDeployNowRacingConfirmsWithoutModelLocks) show that without the model lock a version can
// miss its actual production date.
func DisableModelLocks(s *Service) { s.controls.noModelLocks = true }
